export * from './dizi-config';
export * from './config-loader';
