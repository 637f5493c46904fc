// Makes vectors.json: the client's side of Cognito's USER_SRP_AUTH as
// AWS's own amazon-cognito-identity-js computes it, for fixed secrets, so
// that saasplane's server (internal/srp, used by internal/identity) and its Go client
// (saasus/srp.go) are checked against an implementation that is not ours.
// The server's B is computed here from the same formulas (B = k*v + g^b).
//
// Regenerate (needs Node and npm; the test never runs this):
//   cd "$(mktemp -d)" && npm install amazon-cognito-identity-js@6.3.21 &&
//   node /path/to/vectors.js > /path/to/vectors.json
const path = require('path');
const lib = path.join(process.cwd(), 'node_modules', 'amazon-cognito-identity-js', 'lib');
const AuthenticationHelper = require(path.join(lib, 'AuthenticationHelper.js')).default;
const BigInteger = require(path.join(lib, 'BigInteger.js')).default;
const { Sha256 } = require(path.join(process.cwd(), 'node_modules', '@aws-crypto', 'sha256-js'));

const cases = [
  { pool: 'saas-1', user: '0b6f3c1e-7d2a-4c55-9a43-2f1e8d9b7a10', password: 'Correct-Horse-9', salt: '5a1f0c3e9b7d2a4c6e8f1b3d5a7c9e0f', a: '3f'.repeat(32), b: '7c'.repeat(32), secret: 'c2VjcmV0LWJsb2NrLTE=', timestamp: 'Mon Dec 7 09:38:06 UTC 2026' },
  { pool: 'f47ac10b-58cc-4372-a567-0e02b2c3d479', user: 'u', password: 'pässwörd ✓', salt: '00ff', a: '01', b: '02', secret: 'AAECAwQFBgcICQ==', timestamp: 'Sat Jan 31 23:59:59 UTC 2026' },
  { pool: 'p', user: 'user-with-msb', password: 'x', salt: '80000000000000000000000000000001', a: 'ff'.repeat(32), b: '8'.padEnd(64, '1'), secret: '', timestamp: 'Tue Feb 3 00:00:00 UTC 2026' },
];

function run(c) {
  return new Promise((resolve, reject) => {
    const h = new AuthenticationHelper(c.pool);
    h.smallAValue = new BigInteger(c.a, 16);
    h.largeAValue = undefined;
    h.getLargeAValue((err, A) => {
      if (err) return reject(err);
      const salt = new BigInteger(c.salt, 16);
      const x = new BigInteger(h.hexHash(h.padHex(salt) + h.hash(c.pool + c.user + ':' + c.password)), 16);
      h.g.modPow(x, h.N, (err, v) => {
        if (err) return reject(err);
        h.g.modPow(new BigInteger(c.b, 16), h.N, (err, gb) => {
          if (err) return reject(err);
          const B = h.k.multiply(v).add(gb).mod(h.N);
          h.getPasswordAuthenticationKey(c.user, c.password, B, salt, (err, key) => {
            if (err) return reject(err);
            const msg = Buffer.concat([Buffer.from(c.pool, 'utf8'), Buffer.from(c.user, 'utf8'),
              Buffer.from(c.secret, 'base64'), Buffer.from(c.timestamp, 'utf8')]);
            const mac = new Sha256(key);
            mac.update(msg);
            resolve({ ...c, verifier: h.padHex(v), A: h.padHex(A), B: h.padHex(B),
              key: Buffer.from(key).toString('hex'), signature: Buffer.from(mac.digestSync()).toString('base64') });
          });
        });
      });
    });
  });
}

Promise.all(cases.map(run)).then((out) => console.log(JSON.stringify(out, null, 2)));
