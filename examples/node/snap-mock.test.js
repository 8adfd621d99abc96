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
    .withEnvironment({ SNAP_MOCK_PORT: String(port) })
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
