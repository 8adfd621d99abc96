// snap-mock in a Node test suite: testcontainers + node:test.
//
//   npm install
//   SNAP_MOCK_IMAGE=snap-mock:latest node --test
//
// The container shares the host's network (Linux; on Docker Desktop publish
// the port instead) and listens on a free port chosen here.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { GenericContainer, Wait } = require('testcontainers');

const IMAGE = process.env.SNAP_MOCK_IMAGE || 'snap-mock:latest';
const TOKEN_PATH = '/pg/snap/oauth/v1.0/access-token/b2b';
const ADMIN_TOKEN = 'recipe-admin-token';
// The bundled demo client's key (TEST KEY ONLY; keys/demo-client.private.pem).
const DEMO_KEY = fs.readFileSync(path.join(__dirname, '..', '..', 'keys', 'demo-client.private.pem'), 'utf8');

let container;
let baseUrl;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// X-TIMESTAMP (+07:00, no fraction), X-CLIENT-KEY, and
// X-SIGNATURE = SHA256withRSA(clientKey|timestamp).
function signedHeaders(clientKey = 'demo-client') {
  const wib = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 19) + '+07:00';
  const signature = crypto.sign('RSA-SHA256', Buffer.from(`${clientKey}|${wib}`), DEMO_KEY).toString('base64');
  return {
    'Content-Type': 'application/json',
    'X-TIMESTAMP': wib,
    'X-CLIENT-KEY': clientKey,
    'X-SIGNATURE': signature,
  };
}

before(async () => {
  const port = await freePort();
  container = await new GenericContainer(IMAGE)
    .withNetworkMode('host')
    // The admin API (the customer's side of a payment) answers on a
    // non-loopback address only with a token.
    .withEnvironment({ SNAP_MOCK_PORT: String(port), SNAP_MOCK_ADMIN_TOKEN: ADMIN_TOKEN })
    .withWaitStrategy(Wait.forLogMessage('snap-mock listening on'))
    .start();
  baseUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  if (container) await container.stop();
});

test('a signed request gets a token', async () => {
  const answer = await fetch(baseUrl + TOKEN_PATH, {
    method: 'POST',
    headers: signedHeaders(),
    body: JSON.stringify({ grantType: 'client_credentials', additionalInfo: {} }),
  });
  assert.strictEqual(answer.status, 200);
  const body = await answer.json();
  assert.strictEqual(body.responseCode, '2007300');
  assert.strictEqual(body.accessToken.split('.').length, 3);
});

test('a scenario makes the provider fail on demand', async () => {
  const answer = await fetch(baseUrl + TOKEN_PATH, {
    method: 'POST',
    headers: { ...signedHeaders(), 'X-Mock-Scenario': 'internal-server-error' },
    body: JSON.stringify({ grantType: 'client_credentials' }),
  });
  assert.strictEqual(answer.status, 500);
  assert.strictEqual((await answer.json()).responseCode, '5007301');
});

test('a paid virtual account is notified with a signature the merchant verifies', async () => {
  const http = require('node:http');
  const received = [];
  // The merchant's notification endpoint.
  const hooks = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"responseCode":"2002500","responseMessage":"Successful"}');
    });
  });
  await new Promise((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  try {
    const publicPem = fs.readFileSync(path.join(__dirname, '..', '..', 'keys', 'demo-client.public.pem'), 'utf8');
    const json = { 'Content-Type': 'application/json' };
    const admin = { ...json, Authorization: `Bearer ${ADMIN_TOKEN}` };
    let answer = await fetch(baseUrl + '/__admin/clients', {
      method: 'POST', headers: admin,
      body: JSON.stringify({ clientKey: 'demo-client', publicKey: publicPem, clientSecret: 'demo-client-secret',
        notificationUrl: `http://127.0.0.1:${hooks.address().port}/hooks` }),
    });
    assert.strictEqual(answer.status, 201);
    answer = await fetch(baseUrl + TOKEN_PATH, { method: 'POST', headers: signedHeaders(),
      body: JSON.stringify({ grantType: 'client_credentials' }) });
    const token = (await answer.json()).accessToken;

    const vaPath = '/v1.0/transfer-va/create-va';
    const body = JSON.stringify({ partnerServiceId: '   12345', customerNo: '000000654',
      virtualAccountNo: '   12345000000654', virtualAccountName: 'Jane Doe', trxId: 'INV-654',
      totalAmount: { value: '150000.00', currency: 'IDR' } });
    const timestamp = signedHeaders()['X-TIMESTAMP'];
    const digest = crypto.createHash('sha256').update(body).digest('hex');
    const signature = crypto.createHmac('sha512', 'demo-client-secret')
      .update(`POST:${vaPath}:${token}:${digest}:${timestamp}`).digest('base64');
    answer = await fetch(baseUrl + vaPath, { method: 'POST', body, headers: { ...json,
      Authorization: `Bearer ${token}`, 'X-TIMESTAMP': timestamp, 'X-SIGNATURE': signature,
      'X-PARTNER-ID': 'demo-client', 'X-EXTERNAL-ID': crypto.randomUUID().replace(/-/g, ''), 'CHANNEL-ID': '95221' } });
    assert.strictEqual((await answer.json()).responseCode, '2002700');

    // The customer pays; the notification follows.
    answer = await fetch(baseUrl + '/__admin/transactions/INV-654/pay', { method: 'POST', headers: admin, body: '' });
    assert.strictEqual(answer.status, 200);
    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const got = received[0];
    assert.strictEqual(got.path, '/hooks/v1.0/transfer-va/payment');
    const key = await (await fetch(baseUrl + '/notification-key.pem')).text();
    const minified = JSON.stringify(JSON.parse(got.body));
    const sts = `POST:${got.path}:${crypto.createHash('sha256').update(minified).digest('hex')}:${got.headers['x-timestamp']}`;
    assert.ok(crypto.verify('RSA-SHA256', Buffer.from(sts), key, Buffer.from(got.headers['x-signature'], 'base64')));
    assert.strictEqual(JSON.parse(got.body).latestTransactionStatus, '00');
  } finally {
    hooks.close();
  }
});
