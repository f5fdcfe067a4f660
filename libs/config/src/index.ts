export * from './config.loader';
export * from './env.types';
export * from './stream-limits.env';
