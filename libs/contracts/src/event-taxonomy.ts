/** The two event sources the pipeline ingests; each has its own subject and collector. */
export const SOURCES = ['facebook', 'tiktok'] as const;
export type Source = (typeof SOURCES)[number];

export const FUNNEL_STAGES = ['top', 'bottom'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/** Which event types exist, per source and funnel stage (shared/spec/EVENTS.md). */
export const EVENT_TYPES = {
  facebook: {
    top: ['ad.view', 'page.like', 'comment', 'video.view'],
    bottom: ['ad.click', 'form.submission', 'checkout.complete'],
  },
  tiktok: {
    top: ['video.view', 'like', 'share', 'comment'],
    bottom: ['profile.visit', 'purchase', 'follow'],
  },
} as const;

export type FacebookTopEventType = (typeof EVENT_TYPES.facebook.top)[number];
export type FacebookBottomEventType = (typeof EVENT_TYPES.facebook.bottom)[number];
export type TiktokTopEventType = (typeof EVENT_TYPES.tiktok.top)[number];
export type TiktokBottomEventType = (typeof EVENT_TYPES.tiktok.bottom)[number];
export type FacebookEventType = FacebookTopEventType | FacebookBottomEventType;
export type TiktokEventType = TiktokTopEventType | TiktokBottomEventType;
export type EventType = FacebookEventType | TiktokEventType;

/** Every event type of any source, without repeats (`comment` and `video.view` exist on both). */
export const ALL_EVENT_TYPES: readonly EventType[] = [
  ...new Set(SOURCES.flatMap((source) => FUNNEL_STAGES.flatMap((stage) => EVENT_TYPES[source][stage]))),
];

/** Events that carry revenue: a purchase completed on the source. */
export const TRANSACTIONAL_EVENT_TYPES = {
  facebook: 'checkout.complete',
  tiktok: 'purchase',
} as const satisfies Record<Source, EventType>;

export function eventTypesOf(source: Source, stage?: FunnelStage): readonly EventType[] {
  return stage ? EVENT_TYPES[source][stage] : [...EVENT_TYPES[source].top, ...EVENT_TYPES[source].bottom];
}

export function isSource(value: unknown): value is Source {
  return typeof value === 'string' && (SOURCES as readonly string[]).includes(value);
}

/** The stage an event type belongs to for a source, or undefined when the source has no such type. */
export function funnelStageOf(source: Source, eventType: string): FunnelStage | undefined {
  return FUNNEL_STAGES.find((stage) => (EVENT_TYPES[source][stage] as readonly string[]).includes(eventType));
}
