// The link contract, registry and router.
export * from './errors';
export * from './sms';
export * from './link-config';
export * from './config-checker';
export * from './link-logger';
export * from './sms-link';
export * from './long-connection-link';
export * from './link-registry';
export * from './routing/phone-number';
export * from './routing/sms-router';
export * from './routing/drainable-link';
// Flow control: time, rate, window, resends, keep-alive.
export * from './flow/clock';
export * from './flow/token-bucket';
export * from './flow/rate-meter';
export * from './flow/submit-window';
export * from './flow/segment-sender';
export * from './flow/up-gate';
export * from './flow/keep-alive';
export * from './flow/reconnect-backoff';
// Text: codecs, segmentation, reassembly.
export * from './text/gsm7-alphabet';
export * from './text/gsm7-codec';
export * from './text/ucs2-codec';
export * from './text/text-encoding';
export * from './text/message-format';
export * from './text/udh';
export * from './text/segmenter';
export * from './text/segment-reassembler';
// Wire: fixed-width fields, framing, sockets.
export * from './wire/octet-writer';
export * from './wire/octet-reader';
export * from './wire/carrier-timestamp';
export * from './wire/length-prefixed-decoder';
export * from './wire/pdu-socket';
export * from './wire/pdu-channel';
