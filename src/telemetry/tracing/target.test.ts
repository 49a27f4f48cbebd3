import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/index.js';
import { displayUrl, OtlpEndpointError, resolveOtlpTarget, tracesUrl } from './target.js';

describe('resolveOtlpTarget', () => {
  it('is null without an endpoint anywhere', () => {
    expect(resolveOtlpTarget(undefined, {})).toBeNull();
    expect(resolveOtlpTarget({ endpoint: '', headers: { a: 'b' } }, { OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeNull();
  });

  it('appends /v1/traces to a base endpoint, once', () => {
    expect(tracesUrl('http://collector:4318', 'config')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/', 'config')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('https://otlp.example.com/api/otel', 'config')).toBe('https://otlp.example.com/api/otel/v1/traces');
    expect(tracesUrl('https://otlp.example.com/api/otel/v1/traces', 'config')).toBe('https://otlp.example.com/api/otel/v1/traces');
    expect(tracesUrl('https://otlp.example.com/v1/traces/', 'config')).toBe('https://otlp.example.com/v1/traces');
  });

  it('prefers the config, then the traces variable (as is), then the generic one (as a base)', () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/custom/path', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://g:4318' };
    expect(resolveOtlpTarget({ endpoint: 'http://c:4318' }, env)).toMatchObject({ url: 'http://c:4318/v1/traces', source: 'config' });
    expect(resolveOtlpTarget({}, env)).toMatchObject({ url: 'http://t:4318/custom/path', source: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' });
    expect(resolveOtlpTarget({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://g:4318' })).toMatchObject({ url: 'http://g:4318/v1/traces', source: 'OTEL_EXPORTER_OTLP_ENDPOINT' });
  });

  it('takes the service name from the config, then OTEL_SERVICE_NAME, else "switchyard"', () => {
    const endpoint = 'http://c:4318';
    expect(resolveOtlpTarget({ endpoint, service_name: 'edge' }, { OTEL_SERVICE_NAME: 'env' })?.serviceName).toBe('edge');
    expect(resolveOtlpTarget({ endpoint }, { OTEL_SERVICE_NAME: 'env' })?.serviceName).toBe('env');
    expect(resolveOtlpTarget({ endpoint }, {})?.serviceName).toBe('switchyard');
  });

  it('passes the configured headers through', () => {
    expect(resolveOtlpTarget({ endpoint: 'http://c:4318', headers: { 'x-honeycomb-team': 'k' } }, {})?.headers).toEqual({ 'x-honeycomb-team': 'k' });
  });

  it('rejects an environment endpoint that is not an http(s) URL, without echoing it', () => {
    expect(() => resolveOtlpTarget({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318 secret' })).toThrow(OtlpEndpointError);
    expect(() => resolveOtlpTarget({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318 secret' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => resolveOtlpTarget({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318 secret' })).not.toThrow(/secret/);
    expect(() => resolveOtlpTarget({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' })).toThrow(/http or https/);
  });
});

describe('displayUrl', () => {
  it('drops credentials and the query string', () => {
    expect(displayUrl('https://user:pw@otlp.example.com/v1/traces?api_key=abc')).toBe('https://otlp.example.com/v1/traces');
  });
});

describe('telemetry.otlp in the config file', () => {
  it('accepts a base URL, headers and a service name, and rejects a non-http endpoint at start', () => {
    const ok = parseConfig({ telemetry: { otlp: { endpoint: 'http://collector:4318', headers: { 'x-key': 'k' }, service_name: 'edge' } } }, 'test', {});
    expect(ok.telemetry.otlp).toEqual({ endpoint: 'http://collector:4318', headers: { 'x-key': 'k' }, service_name: 'edge' });
    expect(parseConfig({}, 'test', {}).telemetry.otlp).toEqual({});
    expect(parseConfig({ telemetry: { otlp: { endpoint: '${OTLP:-}' } } }, 'test', {}).telemetry.otlp.endpoint).toBe('');
    expect(() => parseConfig({ telemetry: { otlp: { endpoint: 'grpc://collector:4317' } } }, 'test', {})).toThrow(/telemetry\.otlp\.endpoint/);
  });
});
