/**
 * An SMSC written by nobody here: Debian's libnet-smpp-perl (Net::SMPP 1.19) in its
 * SMSC role, driven by the small Perl script below (after the package's own
 * examples/smsc.pl). It takes one connection, checks bind_transceiver's system_id and
 * password, answers each submit_sm with message id NS0001, NS0002…, sends a delivery
 * receipt (esm_class 0x04) for each submit_sm with registered_delivery, and one MO
 * after the first submit_sm. It prints one line per event on stdout.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const SCRIPT = `use strict; use warnings;
use Net::SMPP;
$| = 1;
my ($sysid, $pw) = @ARGV;
my $srv = Net::SMPP->new_listen('127.0.0.1', port => 0, smpp_version => 0x34, async => 1)
  or die "listen: $!";
print "PORT ", $srv->sockport, "\\n";
my $c = $srv->accept or die "accept: $!";
my $n = 0;
while (1) {
  my $pdu = $c->read_pdu() or do { print "CLOSED\\n"; exit 0 };
  my $cmd = $pdu->{cmd};
  if ($cmd == 0x00000009) {
    my $ok = ($pdu->{system_id} eq $sysid && $pdu->{password} eq $pw);
    print "BIND $pdu->{system_id} ", ($ok ? "ok" : "refused"), "\\n";
    $c->bind_transceiver_resp(system_id => 'NETSMPP', seq => $pdu->{seq}, status => ($ok ? 0 : 0x0E));
  } elsif ($cmd == 0x00000004) {
    $n++;
    my $id = sprintf("NS%04d", $n);
    my $payload = defined $pdu->{message_payload} ? unpack('H*', $pdu->{message_payload}) : '';
    printf "SUBMIT id=%s dest=%s src=%s esm=%d dc=%d rd=%d sm=%s payload=%s\\n", $id,
      $pdu->{destination_addr}, $pdu->{source_addr}, $pdu->{esm_class}, $pdu->{data_coding},
      $pdu->{registered_delivery}, unpack('H*', $pdu->{short_message}), $payload;
    $c->submit_sm_resp(message_id => $id, seq => $pdu->{seq});
    if ($pdu->{registered_delivery} & 1) {
      $c->deliver_sm(source_addr => $pdu->{destination_addr}, destination_addr => $pdu->{source_addr},
        esm_class => 0x04, data_coding => 0,
        short_message => "id:$id sub:001 dlvrd:001 submit date:2311221530 done date:2311221531 stat:DELIVRD err:000 text:");
    }
  } elsif ($cmd == 0x80000005) {
    print "DELIVER_RESP status=$pdu->{status}\\n";
  } elsif ($cmd == 0x00000015) {
    $c->enquire_link_resp(seq => $pdu->{seq});
  } elsif ($cmd == 0x00000006) {
    print "UNBIND\\n";
    $c->unbind_resp(seq => $pdu->{seq});
    exit 0;
  } else {
    printf "OTHER 0x%08x\\n", $cmd;
  }
  # An MO after the first submit: a reply from the handset.
  if ($cmd == 0x00000004 && $n == 1) {
    $c->deliver_sm(source_addr => $pdu->{destination_addr}, destination_addr => $pdu->{source_addr},
      esm_class => 0, data_coding => 0, short_message => "Reply from Net::SMPP");
  }
}
`;

/** Why the peer cannot run here, or null when it can. */
export function netSmppUnavailable(): string | null {
  const probe = spawnSync('perl', ['-MNet::SMPP', '-e', '1'], { encoding: 'utf8' });
  if (probe.error) return `perl is not installed (${probe.error.message})`;
  if (probe.status !== 0) return 'Net::SMPP is missing: apt-get install libnet-smpp-perl';
  return null;
}

export class NetSmppSmsc {
  readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static start(systemId: string, password: string): Promise<NetSmppSmsc> {
    const child = spawn('perl', ['-e', SCRIPT, systemId, password], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      let smsc: NetSmppSmsc | null = null;
      rl.on('line', (line) => {
        if (!smsc) {
          const m = /^PORT (\d+)$/.exec(line);
          if (!m) return reject(new Error(`Net::SMPP SMSC said ${line}`));
          smsc = new NetSmppSmsc(child, Number(m[1]));
          resolve(smsc);
          return;
        }
        smsc.lines.push(line);
        for (const w of smsc.waiters) w();
      });
      child.once('exit', (code) => {
        if (!smsc) reject(new Error(`Net::SMPP SMSC exited with ${code}: ${stderr}`));
      });
    });
  }

  /** Waits for a line matching `pattern`. */
  async waitFor(pattern: RegExp, timeoutMs = 5_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const hit = this.lines.find((l) => pattern.test(l));
      if (hit) return hit;
      if (Date.now() - started > timeoutMs) {
        throw new Error(`Net::SMPP SMSC: no line like ${pattern} in ${JSON.stringify(this.lines)}`);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, 50);
        this.waiters.add(done);
      });
    }
  }

  /** Lines of each submit_sm as fields: id, dest, src, esm, dc, rd, sm (hex), payload (hex). */
  submits(): Record<string, string>[] {
    return this.lines
      .filter((l) => l.startsWith('SUBMIT '))
      .map((l) =>
        Object.fromEntries(
          l
            .slice(7)
            .split(' ')
            .map((kv) => kv.split('=') as [string, string]),
        ),
      );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await exited;
  }
}
