import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';

/**
 * An axios instance with keep-alive connection pools that never throws on an HTTP status: callers read
 * the status themselves, because in this protocol 409 and 425 are answers, not faults.
 */
export function createHttpClient(timeoutMs: number): AxiosInstance {
  return axios.create({
    timeout: timeoutMs,
    validateStatus: () => true,
    transformResponse: [(data: unknown) => data],
    responseType: 'text',
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256 }),
  });
}
