#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ (small, realistic inputs).
Rerun after changing it; the files are checked in so the fuzz run needs no Python."""
import base64, json, os, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")

def jwt(payload) -> str:
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload, separators=(",", ":"))
    if isinstance(body, str):
        body = body.encode()
    return b64url(b'{"alg":"HS256","typ":"JWT"}') + "." + b64url(body) + "." + b64url(b"not-a-real-signature")

CLAIMS = {"exp": 1900000000, "iat": 1899827200, "nbf": 1899827200, "jti": "a" * 64,
          "iss": "api.squadcast.com", "id": "5e8edb1f7e6f7d0001a10002", "email": "alice@acme.test",
          "first_name": "Alice", "organization_id": "5e8edb1f7e6f7d0001a1c0de", "api_token": True,
          "web_token": False, "sso_login": False, "sso_token": "", "user": None, "organization": None,
          "refresh_token": "f" * 128}
TOKEN = jwt(CLAIMS)
REFRESH = "0123456789abcdef" * 8

seeds = {}
def add(target, name, data):
    seeds.setdefault(target, {})[name] = data.encode() if isinstance(data, str) else data

# exchange answers: byte 0 < 0xC0 -> status 200; 0xC0 | i -> statuses[i] of the target
ok = {"data": {"access_token": TOKEN, "expires_at": 1587412870, "issued_at": 1587240070,
               "refresh_token": REFRESH, "type": "Bearer"}}
add("exchange_response", "ok", "A" + json.dumps(ok))
add("exchange_response", "ok-rotated", "A" + json.dumps({"data": dict(ok["data"], refresh_token="b" * 32)}))
add("exchange_response", "ok-float-times", "A" + json.dumps({"data": dict(ok["data"], expires_at=1587412870.0)}))
add("exchange_response", "ok-no-refresh", "A" + json.dumps({"data": {"access_token": TOKEN, "expires_at": 1587412870}}))
add("exchange_response", "wrong-type", "A" + json.dumps({"data": dict(ok["data"], type="MAC")}))
add("exchange_response", "no-data", "A" + '{"meta":{"status":200}}')
add("exchange_response", "not-json", "A<html><body>502 Bad Gateway</body></html>")
add("exchange_response", "truncated", "A" + json.dumps(ok)[:60])
add("exchange_response", "401", b"\xc1" + b'{"meta":{"status":401,"error_message":"Invalid refresh token"}}')
add("exchange_response", "403-string-status", b"\xc2" + b'{"meta":{"status":"403","error_message":"Forbidden"}}')
add("exchange_response", "429", b"\xc3" + b'{"meta":{"status":429,"error_message":"rate limit exceeded"}}')
add("exchange_response", "500-utf8", b"\xc4" + json.dumps({"meta": {"status": 500, "error_message": "\u00e9rreur " * 40}}, ensure_ascii=False).encode())
add("exchange_response", "503-empty", b"\xc6")

# user lookup
user = {"data": {"id": "5e8edb1f7e6f7d0001a10002", "first_name": "Alice", "last_name": "Doe",
                 "username_for_display": "alice", "email": "alice@acme.test",
                 "contact": {"dial_code": "+1", "phone_number": "5550100"}, "secondary_emails": [],
                 "email_verified": True, "time_zone": "UTC", "title": "", "bio": "",
                 "role_id": "5e8edb1f7e6f7d0001a10099", "role": "admin",
                 "abilities": [{"id": "1", "name": "Manage Users", "slug": "manage-users", "default": False},
                               {"id": "2", "name": "Manage Teams", "slug": "manage-teams", "default": True}]}}
add("user_response", "admin", "A" + json.dumps(user))
add("user_response", "string-abilities", "A" + json.dumps({"data": {"id": "x", "role": "account_owner", "abilities": ["manage-billing", 3, None]}}))
add("user_response", "unknown-role", "A" + json.dumps({"data": {"id": "x", "email": "e@x", "role": "superuser"}}))
add("user_response", "no-role", "A" + json.dumps({"data": {"id": "x"}}))
add("user_response", "list", "A" + json.dumps({"data": [user["data"]]}))
add("user_response", "401", b"\xc1" + b'{"meta":{"status":401,"error_message":"Unauthorized"}}')
add("user_response", "404", b"\xc3" + b'{"meta":{"status":404,"error_message":"user not found"}}')

# token administration: byte 1 picks the parser (0 list, 1 create, 2 users)
token = {"id": "5f0c1a2b3c4d5e6f70819203", "organization_id": "5e8edb1f7e6f7d0001a1c0de",
         "user_id": "5e8edb1f7e6f7d0001a10003", "token": REFRESH, "last_refresh": 1587240070,
         "rate_limit": 1000, "deleted": False}
add("token_admin_response", "list", "A\x00" + json.dumps({"data": [token, dict(token, id="tok-user", deleted=True, last_refresh=0)]}))
add("token_admin_response", "list-empty", "A\x00" + json.dumps({"data": []}))
add("token_admin_response", "list-bad-id", "A\x00" + json.dumps({"data": [dict(token, id="../users")]}))
add("token_admin_response", "list-float", "A\x00" + json.dumps({"data": [dict(token, rate_limit=1e300, last_refresh=-1.5)]}))
add("token_admin_response", "created", "\xc9\x01" + json.dumps({"data": token}))
add("token_admin_response", "created-no-token", "\xc9\x01" + json.dumps({"data": dict(token, token="")}))
add("token_admin_response", "users", "A\x02" + json.dumps({"data": [user["data"], {"id": "u2", "email": "x\u001b[31m@y", "role": 7}]}))
add("token_admin_response", "403", b"\xc2\x00" + b'{"meta":{"status":403,"error_message":"only the account owner"}}')
add("token_admin_response", "429", b"\xc4\x01" + b'{"meta":{"status":429,"error_message":"rate limit exceeded"}}')

# JWTs: byte 0 even -> the whole token; odd -> the payload JSON alone
add("jwt_claims", "token", "\x00" + TOKEN)
add("jwt_claims", "payload", "\x01" + json.dumps(CLAIMS))
add("jwt_claims", "payload-float-exp", "\x01" + json.dumps(dict(CLAIMS, exp=1.9e9)))
add("jwt_claims", "payload-missing-email", "\x01" + json.dumps({k: v for k, v in CLAIMS.items() if k != "email"}))
add("jwt_claims", "padded", "\x00" + TOKEN.replace(".", "==.", 1))
add("jwt_claims", "two-parts", "\x00" + TOKEN.rsplit(".", 1)[0])
add("jwt_claims", "payload-array", "\x01[1,2,3]")

# config files: first line is the profile to select
add("config_text", "plain", "default\nregion = eu\ntimeout = 30\n")
add("config_text", "profiles", "work\n# comment\n; also a comment\nregion = us\nmin_validity = 600\n\n"
    "[profile work]\nauth_url = https://auth.eu.squadcast.com\napi_url = https://api.eu.squadcast.com\n"
    "backend = file\n\n[personal]\nregion = eu\n")
add("config_text", "loopback", "test\n[test]\nauth_url = http://127.0.0.1:8443\napi_url = http://[::1]:8443/\n"
    "allow_http_loopback = yes\nca_file = /etc/squadcast/ca.pem\r\n")
add("config_text", "errors", "default\n[unclosed\nkey_without_value\n= value\nbogus = 1\n")

# credentials files (byte 0 'S' -> serialiser side: profile\x01token\x01email\x01auth_url)
creds = {"version": 1, "profiles": {
    "default": {"refresh_token": REFRESH, "email": "alice@acme.test",
                "auth_url": "https://auth.squadcast.com", "stored_at": 1700000000},
    "eu": {"refresh_token": "c" * 32, "email": "alice@acme.test",
           "auth_url": "https://auth.eu.squadcast.com", "stored_at": 1700000001}}}
add("credentials_file", "two-profiles", json.dumps(creds, indent=2) + "\n")
add("credentials_file", "minimal", '{"version":1,"profiles":{"p":{"refresh_token":"x"}}}')
add("credentials_file", "version-2", '{"version":2,"profiles":{}}')
add("credentials_file", "no-token", '{"version":1,"profiles":{"p":{"email":"a@b"}}}')
add("credentials_file", "serialise", "Sdefault\x01" + REFRESH + "\x01alice@acme.test\x01https://auth.squadcast.com")
# regression: a refresh token byte >= 0x80 passed the shape check and made the serialiser throw
add("credentials_file", "serialise-non-ascii-token", b"Sdefault\x01" + REFRESH.encode()[:60] + b"\xfc" + b"\x01a@b\x01https://auth.squadcast.com")
add("credentials_file", "serialise-utf8", "Spr\u00f6fil\x01" + REFRESH + "\x01j\u00fcrgen@acme.test\x01https://auth.squadcast.com")

# cache entries
entry = {"version": 1, "access_token": TOKEN, "expires_at": 1900000000, "issued_at": 1899827200,
         "fetched_at": 1899827201, "identity": {"user_id": "5e8edb1f7e6f7d0001a10002", "email": "alice@acme.test",
         "first_name": "Alice", "organization_id": "5e8edb1f7e6f7d0001a1c0de", "role": "admin",
         "abilities": ["manage-users", "manage-teams"]}}
add("cache_file", "entry", json.dumps(entry, separators=(",", ":")))
add("cache_file", "minimal", '{"version":1,"access_token":"t","expires_at":1,"fetched_at":0,"identity":{"user_id":"u"}}')
add("cache_file", "float-times", json.dumps(dict(entry, expires_at=1.9e9, fetched_at=-5)))
add("cache_file", "version-0", json.dumps(dict(entry, version=0)))
add("cache_file", "truncated", json.dumps(entry)[:100])
# regression: expires_at - min_validity overflowed in is_usable (UBSan)
add("cache_file", "expires-int64-min", '{"version": 1, "access_token": "t", "expires_at": -9223372036854775808, '
    '"fetched_at": 0, "identity": {"user_id": "u"}}')

# git credential protocol: byte 0 % 4 -> get, store, erase, unknown
add("git_protocol", "get", "\x00protocol=https\nhost=api.squadcast.com\n\n")
add("git_protocol", "get-authtype", "\x00capability[]=authtype\nprotocol=https\nhost=API.Squadcast.com\npath=v3/users\n\n")
add("git_protocol", "get-url", "\x00url=https://api.squadcast.com:443/v3\n\n")
add("git_protocol", "get-other", "\x00protocol=https\nhost=github.com\n\n")
add("git_protocol", "store", "\x01protocol=https\r\nhost=api.squadcast.com\r\nusername=alice@acme.test\r\npassword=" + REFRESH + "\r\n\r\n")
add("git_protocol", "erase", "\x02protocol=https\nhost=api.squadcast.com\nusername=alice@acme.test\npassword=" + TOKEN + "\n")

# docker: byte 0 % 6 -> get, store, erase, list, version, ""
add("docker_input", "get", "\x00https://api.squadcast.com\n")
add("docker_input", "get-bare", "\x00api.squadcast.com/v2/")
# regression: a server URL that is not UTF-8 made `get` throw from json::dump()
add("docker_input", "get-non-utf8", b"\x00api.squadcast.com/v2/\xcbx")
add("docker_input", "get-other", "\x00https://index.docker.io/v1/\n")
add("docker_input", "store", "\x01" + json.dumps({"ServerURL": "https://api.squadcast.com", "Username": "alice@acme.test", "Secret": REFRESH}))
add("docker_input", "store-bad", "\x01{\"ServerURL\": 1}")
add("docker_input", "erase", "\x02api.squadcast.com\n")
add("docker_input", "list", "\x03")

# terraform: byte 0 % 4 -> get, store, forget, list; first line HOST, rest stdin
add("terraform_input", "get", "\x00api.squadcast.com\n")
add("terraform_input", "get-other", "\x00app.terraform.io\n")
add("terraform_input", "store", "\x01api.squadcast.com\n" + json.dumps({"token": REFRESH}))
add("terraform_input", "store-bad", "\x01api.squadcast.com\n[\"token\"]")
add("terraform_input", "forget", "\x02api.squadcast.com:443\n")

# PAM arguments: NUL/newline separated; after \x01 the text of any config=/PATH
add("pam_options", "typical", "org_id=5e8edb1f7e6f7d0001a1c0de\nmin_role=admin\nuser_map=email_localpart\ntimeout=5")
add("pam_options", "full", "region=eu\norg_id=5E8EDB1F7E6F7D0001A1C0DE\nmin_role=user\nrequire_ability=manage-users, manage-teams\n"
    "user_map=file:/etc/squadcast/users\ntoken_source=authtok\nuse_first_pass\ncache_ttl=600\noffline_grace=3600\n"
    "cache_dir=/var/cache/squadcast-pam\ndebug\nprompt=Squadcast token: \nprofile=work")
add("pam_options", "config-file", "config=/etc/squadcast/pam.conf\x01# admin file\norg_id = 5e8edb1f7e6f7d0001a1c0de\n"
    "min_role = stakeholder\nauth_url = https://auth.squadcast.com\napi_url = https://api.squadcast.com\n")
add("pam_options", "any-org-user-store", "any_org\ntoken_source=user_store\nmin_role=account_owner")
add("pam_options", "errors", "org_id=xyz\nbogus=1\nconfig=relative")

# teams, members and on-call schedules (tests/fuzz/fuzz_{teams,members,schedules}_response.cpp)
team = {"id": "5e8edb1f7e6f7d0001b20001", "name": "Payments", "slug": "payments",
        "organization_id": "5e8edb1f7e6f7d0001a1c0de", "members": [{"user_id": "5e8edb1f7e6f7d0001a10002", "role": "owner"}]}
add("teams_response", "list", "A" + json.dumps({"data": [team, dict(team, id="5e8edb1f7e6f7d0001b20002", name="Platform", slug="platform")]}))
add("teams_response", "odd-entries", "A" + json.dumps({"data": [{"id": "short"}, {"id": 3}, None, dict(team, name="a\nb")]}))
add("teams_response", "403", b"\xc2" + b'{"meta":{"status":403,"error_message":"forbidden"}}')
add("teams_response", "not-json", "A<html>502</html>")
add("members_response", "members", "A" + json.dumps({"data": [{"user_id": "5e8edb1f7e6f7d0001a10002", "role": "member",
    "role_ids": ["x"], "abilities": {"manage": True}}, {"user_id": "5e8edb1f7e6f7d0001a10003"}]}))
add("members_response", "odd-ids", "A" + json.dumps({"data": [{"user_id": "../../etc"}, {"user_id": ""}, {"role": "x"}, 7]}))
add("members_response", "403", b"\xc2" + b'{"meta":{"status":"403","error_message":"not a member"}}')
add("members_response", "404-v4", b"\xc3" + b'{"error":{"code":"NOT_FOUND","message":"team not found"}}')
schedule = {"id": 42, "name": "Payments primary", "description": "", "orgID": "5e8edb1f7e6f7d0001a1c0de",
            "teamID": "5e8edb1f7e6f7d0001b20001", "timeZone": "Europe/Berlin", "paused": False,
            "ownerID": "5e8edb1f7e6f7d0001b20001", "ownerType": "team", "tags": None,
            "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"}
page = {"pageSize": 1, "hasNext": True, "hasPrevious": False, "nextCursor": "NDM=", "previousCursor": ""}
add("schedules_response", "first-page", "A" + json.dumps({"data": [schedule], "pageInfo": page}))
add("schedules_response", "last-page", "A" + json.dumps({"data": [dict(schedule, id=45, name="Payments escalation", paused=True, tags=[{"key": "k", "value": "v"}])],
    "pageInfo": dict(page, hasNext=False, nextCursor="")}))
add("schedules_response", "next-without-cursor", "A" + json.dumps({"data": [], "pageInfo": dict(page, nextCursor="")}))
add("schedules_response", "float-id", "A" + json.dumps({"data": [dict(schedule, id=42.0, paused=None)]}))
add("schedules_response", "v4-error", b"\xc8" + json.dumps({"error": {"code": "INVALID_ARGUMENT", "message": "teamID is required",
    "details": [{"field": "teamID", "message": "required"}]}}).encode())
add("schedules_response", "v4-500", b"\xc5" + b'{"error":{"code":"INTERNAL","message":"boom\u0007"}}')
add("schedules_response", "v3-429", b"\xc4" + b'{"meta":{"status":429,"error_message":"slow down"}}')
# Date / Retry-After header values
add("http_date", "imf-fixdate", "Sun, 29 Nov 2026 23:04:32 GMT")
add("http_date", "epoch", "Thu, 01 Jan 1970 00:00:00 GMT")
add("http_date", "delta", "120")
add("http_date", "obsolete-rfc850", "Sunday, 06-Nov-94 08:49:37 GMT")
add("http_date", "bad", "Sun, 32 Foo 2026 25:61:61 XYZ")

if os.path.isdir(OUT):
    shutil.rmtree(OUT)
for target, files in seeds.items():
    os.makedirs(os.path.join(OUT, target))
    for name, data in files.items():
        with open(os.path.join(OUT, target, name), "wb") as f:
            f.write(data)
print("wrote", sum(len(f) for f in seeds.values()), "seeds for", len(seeds), "targets")
