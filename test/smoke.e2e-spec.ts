import { startTestApp, type TestApp } from './support/test-app.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates and reads an enterprise', async () => {
    const created = await t.http
      .post('/api/v1/enterprises')
      .set('authorization', t.adminAuth)
      .send({ name: '淄博博山鑫源新材料有限公司', creditCode: '91110000600037341L' });
    expect(created.status).toBe(201);
    const got = await t.http.get(`/api/v1/enterprises/${created.body.id}`).set('authorization', t.adminAuth);
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(got.body.name).toBe('淄博博山鑫源新材料有限公司');
  });
});
