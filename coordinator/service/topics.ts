import { IllegalTransition, InvalidInput, NotFound } from '../../common/errors';
import { Limits } from '../../common/protocol/trans-body';
import { TOPIC_PREFIX } from '../../common/protocol/vocabulary';
import type { Store } from '../storage/store';
import { requireUrlValue } from '../trans-types/steps';

/** Topics live in the key-value store under this category, as in DTM. */
export const TOPICS_CAT = 'topics';

/** One subscriber as DTM stores it in the topic's value: a JSON array of these. */
export interface Subscriber {
  url: string;
  remark: string;
}

/** Attempts of a read-modify-write before giving up to a persistent concurrent writer. */
const CAS_ATTEMPTS = 5;

function requireTopic(topic: string): void {
  if (topic === '') throw new InvalidInput('topic is required', { field: 'topic' });
  if (topic.length > Limits.topicLength) {
    throw new InvalidInput(`topic is longer than ${Limits.topicLength} characters`, { field: 'topic' });
  }
}

/**
 * Topics of 2-phase messages: subscribers (URLs) per topic name, kept in the store's key-value entries
 * and changed by compare-and-set, so concurrent subscribes never lose one another.
 */
export class Topics {
  constructor(private readonly store: Store) {}

  /** Every topic with its subscribers, newest topic first (at most `limit`). */
  async list(limit = 1000): Promise<{ topic: string; subscribers: Subscriber[] }[]> {
    const { entries } = await this.store.kvScan(TOPICS_CAT, '', limit);
    return entries.map((e) => ({ topic: e.k, subscribers: parseSubscribers(e.v) }));
  }

  /**
   * Adds `url` to the topic, creating the topic on its first subscriber. A subscription made over gRPC
   * (`protocol`) may name a gRPC method.
   */
  async subscribe(topic: string, url: string, remark: string, protocol?: string): Promise<void> {
    requireTopic(topic);
    requireUrlValue(url, 'url', false, protocol);
    await this.update(topic, true, (subscribers) => {
      if (subscribers.some((s) => s.url === url)) {
        throw new IllegalTransition(`${url} subscribes to topic ${topic} already`, { field: 'url' });
      }
      return [...subscribers, { url, remark }];
    });
  }

  /** Removes `url` from the topic; the topic stays, possibly empty, as in DTM. */
  async unsubscribe(topic: string, url: string): Promise<void> {
    requireTopic(topic);
    await this.update(topic, false, (subscribers) => {
      if (!subscribers.some((s) => s.url === url)) {
        throw new NotFound(`${url} does not subscribe to topic ${topic}`, { field: 'url' });
      }
      return subscribers.filter((s) => s.url !== url);
    });
  }

  async deleteTopic(topic: string): Promise<void> {
    requireTopic(topic);
    if (!(await this.store.kvDelete(TOPICS_CAT, topic))) throw new NotFound(`no topic ${topic}`, { field: 'topic' });
  }

  /**
   * The subscriber URLs of every topic the steps' actions name (`topic://<name>`), read at the moment
   * the message is stored, so its deliveries are fixed from then on.
   */
  async subscribersOf(steps: readonly Record<string, string>[]): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const step of steps) {
      // Every prepare and submit passes here, and almost none names a topic.
      if (!step.action?.startsWith(TOPIC_PREFIX)) continue;
      const name = step.action.slice(TOPIC_PREFIX.length);
      if (Object.hasOwn(found, name)) continue;
      const entry = await this.store.kvGet(TOPICS_CAT, name);
      found[name] = entry ? parseSubscribers(entry.v).map((s) => s.url) : [];
    }
    return found;
  }

  private async update(topic: string, create: boolean, change: (s: Subscriber[]) => Subscriber[]): Promise<void> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await this.store.kvGet(TOPICS_CAT, topic);
      if (!entry && !create) throw new NotFound(`no topic ${topic}`, { field: 'topic' });
      const next = JSON.stringify(change(entry ? parseSubscribers(entry.v) : []));
      if (Buffer.byteLength(next, 'utf8') > Limits.topicValueBytes) {
        throw new InvalidInput(
          `topic ${topic} cannot take another subscriber: its list would exceed ${Limits.topicValueBytes} bytes`,
          { field: 'url' },
        );
      }
      if (await this.store.kvPut(TOPICS_CAT, topic, next, entry?.version ?? 0)) return;
    }
    throw new IllegalTransition(`topic ${topic} is being changed by others; try again`, { field: 'topic' });
  }
}

function parseSubscribers(value: string): Subscriber[] {
  const parsed = JSON.parse(value || '[]') as unknown;
  return Array.isArray(parsed) ? (parsed as Subscriber[]) : [];
}
