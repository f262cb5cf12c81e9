export * from './pdu';
export * from './at/at-errors';
export * from './at/at-transport';
export * from './at/at-channel';
export * from './modem-link-config';
export * from './modem-link';
export * from './modem-pool';
export * from './modem-link-factory';
