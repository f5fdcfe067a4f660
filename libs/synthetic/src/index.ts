export * from './random';
export * from './event.generator';
export * from './event.corruption';
export * from './vocabulary';
