import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LinkAdmin } from '@dizi/sms';
import { AdminAuthGuard } from './admin-auth.guard';
import { LINK_ADMIN } from './admin.tokens';

// A link's fields depend on its kind (docs/gateways.md), so the body is checked by the
// kind's own validator (the one config-file links go through), not by a DTO.
const LINK_BODY = {
  schema: {
    type: 'object',
    description: 'One link, as in the `links:` list of the config file (fields per kind)',
    example: {
      id: 'cm-bj',
      kind: 'cmpp',
      version: '3.0',
      host: '10.1.1.1',
      port: 7890,
      account: '901234',
      secret: 's3cret',
      serviceId: 'MDZ0001',
      srcId: '1065888801',
      window: 16,
      tps: 200,
      prefixes: ['134', '135'],
      priority: 1,
    },
  },
};

@ApiTags('links')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/links')
export class LinksController {
  constructor(@Inject(LINK_ADMIN) private readonly links: LinkAdmin) {}

  @Get()
  @ApiOperation({ summary: 'Every link (config file and API) with its state; secrets masked' })
  list() {
    return this.links.list();
  }

  @Get(':id') get(@Param('id') id: string) {
    return this.links.get(id);
  }

  @Post()
  @ApiOperation({ summary: 'Add a link; every worker node starts it without a restart' })
  @ApiBody(LINK_BODY)
  add(@Body() body: unknown) {
    return this.links.add(body);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a link (a secret sent back as ******** is kept)' })
  @ApiBody(LINK_BODY)
  replace(@Param('id') id: string, @Body() body: unknown) {
    return this.links.replace(id, body);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields of a link (null removes a field)' })
  @ApiBody({ schema: { type: 'object', example: { prefixes: ['139'], priority: 2 } } })
  patch(@Param('id') id: string, @Body() body: unknown) {
    return this.links.patch(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a link; it finishes what it has under way, then stops' })
  async remove(@Param('id') id: string) {
    await this.links.remove(id);
  }

  @Post(':id/enable') @HttpCode(200) enable(@Param('id') id: string) {
    return this.links.setEnabled(id, true);
  }

  @Post(':id/disable') @HttpCode(200) disable(@Param('id') id: string) {
    return this.links.setEnabled(id, false);
  }
}
