export * from './address';
export * from './directory.service';
export * from './recipient-resolver';
