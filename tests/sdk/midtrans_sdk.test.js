// midtrans-client (npm) against `snap-mock --provider midtrans`
// (tests/sdk/run.sh): a token, then a QRIS payment (bearer token +
// HMAC-SHA512), exactly as the SDK sends them; only the sandbox base URL is
// changed. Run with: SNAP_MOCK_URL=... SNAP_MOCK_ROOT=... node --test
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { SnapBi, SnapBiConfig } = require('midtrans-client');

const url = process.env.SNAP_MOCK_URL;
const root = process.env.SNAP_MOCK_ROOT;
SnapBiConfig.SNAP_BI_SANDBOX_BASE_URL = url;
SnapBiConfig.isProduction = false;
SnapBiConfig.snapBiClientId = 'demo-client';
SnapBiConfig.snapBiPrivateKey = fs.readFileSync(path.join(root, 'keys', 'demo-client.private.pem'), 'utf8');
SnapBiConfig.snapBiClientSecret = 'demo-client-secret';
SnapBiConfig.snapBiPartnerId = 'demo-client';
SnapBiConfig.snapBiChannelId = '95221';

test('midtrans-client gets a B2B token', async () => {
  const answer = await SnapBi.qris().getAccessToken();
  assert.strictEqual(answer.responseCode, '2007300', JSON.stringify(answer));
  assert.ok(answer.accessToken && answer.accessToken.length > 0);
  console.log('midtrans token:', answer.responseCode, 'accessToken of', answer.accessToken.length, 'characters');
});

test('midtrans-client creates a QRIS payment with that token', async () => {
  const answer = await SnapBi.qris()
    .withBody({
      partnerReferenceNo: 'sdk-' + Date.now(),
      amount: { value: '1500.00', currency: 'IDR' },
      merchantId: 'M001234',
      validityPeriod: '2030-07-03T12:08:56-07:00',
    })
    .createPayment('ext-' + Date.now());
  assert.strictEqual(answer.responseCode, '2004700', JSON.stringify(answer));
  assert.ok(answer.qrContent.startsWith('000201'));
  console.log('midtrans qris:', answer.responseCode, answer.merchantName);
});
