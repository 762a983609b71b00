// The bots' HTTP side of the public API: JSON in and out, the session cookie
// kept per bot. A connection failure becomes ServerUnreachable so the CLI can
// say so plainly.

export class ServerUnreachable extends Error {}

/** The server would not make a bot session: a wrong --bot-token, or a server without BOT_TOKEN (bad usage, exit 2). */
export class BotTokenRefused extends Error {}

export interface HttpResult<T> {
  status: number;
  body: T;
}

export type ApiBody = { ok: boolean; error?: { code: string; message: string } } & Record<string, unknown>;

export class HttpSession {
  constructor(readonly baseUrl: string, public cookie = '') {}

  async request<T extends ApiBody = ApiBody>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.cookie ? { cookie: this.cookie } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ServerUnreachable(`${method} ${this.baseUrl}${path}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await response.text();
    let parsed: T;
    try {
      parsed = JSON.parse(text) as T;
    } catch {
      parsed = { ok: false, error: { code: 'http/not_json', message: `${response.status}: ${text.slice(0, 200)}` } } as T;
    }
    return { status: response.status, body: parsed };
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight; results in order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
