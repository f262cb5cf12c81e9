import { bad, type CommandContext, type CommandResult, no, ok } from '../session/command-context';

/** COMPRESS DEFLATE (RFC 4978): after the OK, both directions are raw deflate streams. */
export async function compress(context: CommandContext, mechanism: string): Promise<CommandResult> {
  if (mechanism !== 'DEFLATE') return bad('Unknown compression mechanism');
  if (context.state.compressed) return no('Compression is already active', 'COMPRESSIONACTIVE');
  context.afterResponse('compress');
  return ok('DEFLATE active');
}
