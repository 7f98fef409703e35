// The browser's half of a Web Push message, written independently of the server's code:
// decrypts an aes128gcm body with the npm package http_ece (RFC 8291/8188) and checks a
// VAPID Authorization header (RFC 8292) with node's own crypto.
//
// Run by server/tests/integration/push.rs, http_ece found through NODE_PATH
// (scripts/setup.sh --for-tests installs it). Reads one JSON case on stdin:
//   { body, uaPrivateKey, authSecret   (base64url),
//     authorization, audience, now     (the header, the expected aud, Unix seconds) }
// and prints one JSON result on stdout:
//   { plaintext (base64url) | decryptError, vapidProblems: [..], claims }
'use strict';

const crypto = require('crypto');
const ece = require('http_ece');

const b64 = (text) => Buffer.from(text, 'base64url');

function decrypt(input) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(b64(input.uaPrivateKey));
  try {
    const plaintext = ece.decrypt(b64(input.body), {
      version: 'aes128gcm',
      privateKey: ecdh,
      authSecret: b64(input.authSecret),
    });
    return { plaintext: plaintext.toString('base64url') };
  } catch (err) {
    return { decryptError: String(err && err.message ? err.message : err) };
  }
}

// What is wrong with the header, as a list of short problems (empty: all is well).
function checkVapid(input) {
  const problems = [];
  const match = /^vapid t=([A-Za-z0-9_.-]+), k=([A-Za-z0-9_-]+)$/.exec(input.authorization);
  if (!match) {
    return { vapidProblems: ['header is not "vapid t=<jwt>, k=<key>"'] };
  }
  const [, token, key] = match;
  const parts = token.split('.');
  if (parts.length !== 3) {
    return { vapidProblems: ['token is not three base64url parts'] };
  }
  const [header, payload, signature] = parts;
  let claims = null;
  try {
    const jose = JSON.parse(b64(header).toString('utf8'));
    if (jose.typ !== 'JWT' || jose.alg !== 'ES256' || Object.keys(jose).length !== 2) {
      problems.push(`header is ${JSON.stringify(jose)}`);
    }
    claims = JSON.parse(b64(payload).toString('utf8'));
  } catch (err) {
    return { vapidProblems: [`token is not JSON: ${err.message}`] };
  }

  const publicKey = b64(key);
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
    problems.push(`k is not an uncompressed P-256 key (${publicKey.length} bytes)`);
  } else {
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: publicKey.subarray(1, 33).toString('base64url'),
      y: publicKey.subarray(33, 65).toString('base64url'),
    };
    const verified = crypto.verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key: crypto.createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      b64(signature),
    );
    if (!verified) problems.push('signature does not verify with k');
  }

  if (claims.aud !== input.audience) {
    problems.push(`aud is ${JSON.stringify(claims.aud)}, not ${JSON.stringify(input.audience)}`);
  }
  if (!Number.isInteger(claims.exp) || claims.exp <= input.now || claims.exp > input.now + 86400) {
    problems.push(`exp ${claims.exp} is not within 24 hours after ${input.now}`);
  }
  if (typeof claims.sub !== 'string' || !/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/.test(claims.sub)) {
    problems.push(`sub ${JSON.stringify(claims.sub)} is neither mailto: nor https:`);
  }
  return { vapidProblems: problems, claims };
}

let stdin = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { stdin += chunk; });
process.stdin.on('end', () => {
  const input = JSON.parse(stdin);
  process.stdout.write(JSON.stringify({ ...decrypt(input), ...checkVapid(input) }) + '\n');
});
