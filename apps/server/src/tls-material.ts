import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';
import { DiziConfig } from '@dizi/config';

/**
 * The certificate for STARTTLS and implicit TLS: the configured one, or a self-signed
 * one made on first start and kept in `<dataDir>/tls` (replace it with a real one via
 * DIZI_TLS_CERT and DIZI_TLS_KEY).
 */
export async function loadTlsMaterial(config: DiziConfig): Promise<{ key: Buffer; cert: Buffer }> {
  if (config.tls.certFile || config.tls.keyFile) {
    if (!config.tls.certFile || !config.tls.keyFile) {
      throw new Error(
        'set both DIZI_TLS_CERT and DIZI_TLS_KEY (or neither, for a self-signed certificate)',
      );
    }
    return { key: readFileSync(config.tls.keyFile), cert: readFileSync(config.tls.certFile) };
  }
  const dir = path.join(config.dataDir, 'tls');
  const keyFile = path.join(dir, 'self-signed.key');
  const certFile = path.join(dir, 'self-signed.crt');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pems = await generate([{ name: 'commonName', value: config.hostname }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 3650 * 86_400_000),
      algorithm: 'sha256',
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: config.hostname },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    writeFileSync(keyFile, pems.private, { mode: 0o600 });
    writeFileSync(certFile, pems.cert);
  }
  return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
}
