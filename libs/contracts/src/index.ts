export * from './event-taxonomy';
export * from './event.schema';
export * from './event.validation';
export * from './messaging.constants';
export * from './event.fields';
export * from './ingestion.outcome';
