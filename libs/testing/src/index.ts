export * from './events/random';
export * from './events/event.generator';
export * from './events/event.corruption';
export * from './events/vocabulary';
