export * from './events/random';
export * from './events/event.generator';
export * from './events/event.corruption';
export * from './events/vocabulary';
export * from './system/build';
export * from './system/free-port';
export * from './system/service.process';
