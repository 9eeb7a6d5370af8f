"""The public Python approach (binance/binance-mp-demo's sample: PyJWT + cryptography,
HTTP with requests), timed on the same work as server/examples/bench_binance.rs.
Prints one JSON object. Usage: server_baseline.py SIM_URL KEY_FILE [--quick]"""
import base64, hashlib, json, sys, threading, time
from concurrent.futures import ThreadPoolExecutor

import warnings

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding

# The demo secret key is short on purpose; PyJWT warns about it on every call.
warnings.simplefilter("ignore")
SIM, KEY_FILE = sys.argv[1], sys.argv[2]
QUICK = "--quick" in sys.argv
N_SIGN, N_DEC, N1, N64 = (2000, 100, 100, 640) if QUICK else (20000, 1000, 500, 3200)
APP, AK, SK = "mpcb-demo-app", "demo-ak", "demo-sk"
EMPTY = hashlib.sha256(b"").hexdigest()


def token_for(data_token, ts):
    # As the sample does it (the sample does not URI-encode the token; ours are base64url,
    # which needs no encoding, so the canonical request is the same).
    canonical = f"GET\n/mp-api/v1/apps/{APP}/user-open-data/\nopenData={data_token}\n{EMPTY}"
    dig = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return jwt.encode({"iss": AK, "dig": dig, "ts": ts}, SK, algorithm="HS256")


with open(KEY_FILE, "rb") as f:
    KEY = serialization.load_pem_private_key(f.read(), password=None)


def decrypt(user_data):
    pad = "=" * (-len(user_data) % 4)
    plain = KEY.decrypt(base64.urlsafe_b64decode(user_data + pad), padding.PKCS1v15()).decode("utf-8")
    try:
        return json.loads(plain)
    except ValueError:
        return plain


t0 = time.perf_counter()
for i in range(N_SIGN):
    token_for("a" * 32, 1_700_000_000 + i)
sign_us = (time.perf_counter() - t0) * 1e6 / N_SIGN

ct = KEY.public_key().encrypt(b'{"openId":"oid-0123456789"}', padding.PKCS1v15())
ud = base64.urlsafe_b64encode(ct).decode().rstrip("=")
t0 = time.perf_counter()
for _ in range(N_DEC):
    decrypt(ud)
decrypt_us = (time.perf_counter() - t0) * 1e6 / N_DEC

local = threading.local()


def session():
    if not hasattr(local, "s"):
        local.s = requests.Session()
    return local.s


def issue(n):
    s = requests.Session()
    return [s.post(f"{SIM}/__sim/data-token", json={"userId": f"bench-{i % 50}", "kind": "openId"}).json()["dataToken"] for i in range(n)]


def get_open_data(data_token):
    t = time.perf_counter()
    r = session().get(
        f"{SIM}/mp-api/v1/apps/{APP}/user-open-data",
        params={"openData": data_token},
        headers={"X-Mp-Open-Api-Token": token_for(data_token, int(time.time()))},
        timeout=5,
    )
    body = r.json()
    if body.get("code") != "000000":
        return None
    decrypt(body["data"]["userData"])
    return time.perf_counter() - t


def phase(tokens, concurrency):
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(get_open_data, tokens))
    elapsed = time.perf_counter() - start
    lat = sorted(r for r in results if r is not None)
    pct = lambda p: lat[min(len(lat) - 1, round((len(lat) - 1) * p))] * 1000 if lat else 0
    return {"calls": len(lat), "errors": len(results) - len(lat), "p50_ms": pct(0.5), "p99_ms": pct(0.99), "per_s": len(lat) / elapsed}


phase(issue(20), 4)
c1 = phase(issue(N1), 1)
c64 = phase(issue(N64), 64)
print(json.dumps({"sign_us": sign_us, "decrypt_us": decrypt_us, "c1": c1, "c64": c64}))
