// Runs after every suite: the reference backend's own audit of everything the suites sent
// it (no token in any URL, one idempotency key per token) must be empty.
const backend = process.env.MPCB_BACKEND;
if (!backend) throw new Error('MPCB_BACKEND is not set');
const received = await (await fetch(`${backend}/__test/received`)).json();
const violations = await (await fetch(`${backend}/__test/violations`)).json();
console.log(`audit: the backend received ${received.length} consent requests during the run`);
for (const v of violations) console.log(`violation: ${v}`);
console.log(`audit: ${received.length > 0 && violations.length === 0 ? 1 : 0} passed, ${violations.length > 0 || received.length === 0 ? 1 : 0} failed`);
process.exit(violations.length === 0 && received.length > 0 ? 0 : 1);
