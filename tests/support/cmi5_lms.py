"""A cmi5 LMS for tests that refuses what ADL's reference LMS refuses.

The rules mirror the CATAPULT player's LRS proxy (adlnet/CATAPULT,
`player/service/plugins/routes/lrs.js`, `beforeLRSRequest`/`afterLRSRequest` and its `proxied-lrs`
auth), each under the requirement id CATAPULT names: a request that breaks one is answered 403
with `{"violatedReqId": ..., "message": ...}` (400 for the xAPI shape errors), nothing of it is
stored, and the violation is kept in `Cmi5Lms.violations` so a test can assert there was none.
Sessions follow CATAPULT too: every launch is a new session with its own token (the fetch URL
hands it out once), a new launch of the registration abandons its open sessions (courses.js), a
terminated session refuses every request (8.1.2.0-2), an abandoned one too but without calling
it a violation (the AU cannot know). Session and registration flags (initialized, terminated,
passed, failed, completed, satisfied) change only when the LRS accepted the statements.
Limitation: no `abandoned` statement is written to the LRS when a session is abandoned.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION_EXT = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY_EXT = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
VERB = "http://adlnet.gov/expapi/verbs/"
INITIALIZED, TERMINATED, COMPLETED, PASSED, FAILED = (
    VERB + v for v in ("initialized", "terminated", "completed", "passed", "failed"))
VERDICTS = (COMPLETED, PASSED, FAILED)


class Refused(Exception):
    """A request the reference LMS refuses: `status`, the requirement id and a message."""

    def __init__(self, req_id: str | None, message: str, status: int = 403):
        super().__init__(f"{req_id} - {message}" if req_id else message)
        self.req_id, self.status = req_id, status

    def body(self) -> bytes:
        return json.dumps({"statusCode": self.status, "violatedReqId": self.req_id,
                           "message": str(self)}).encode()


@dataclass
class Session:
    id: str
    token: str
    registration: str
    template: dict[str, Any]
    launch_mode: str
    mastery: float | None
    fetched: bool = False
    prefs_fetched: bool = False
    initialized: bool = False
    terminated: bool = False
    abandoned: bool = False
    passed: bool = False
    failed: bool = False
    completed: bool = False


@dataclass
class Registration:
    code: str
    actor: dict[str, Any]
    activity_id: str
    move_on: str = "CompletedAndPassed"
    passed: bool = False
    completed: bool = False
    satisfied: bool = False


@dataclass
class Cmi5Lms:
    sessions: dict[str, Session] = field(default_factory=dict)  # by token
    registrations: dict[str, Registration] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    abandoned_refusals: list[str] = field(default_factory=list)

    def launch(self, registration: Registration, launch_mode: str, mastery: float | None,
               template: dict[str, Any]) -> Session:
        """A new session; the registration's open sessions are abandoned (CATAPULT courses.js)."""
        self.registrations.setdefault(registration.code, registration)
        for old in self.sessions.values():
            if old.registration == registration.code and not old.terminated:
                old.abandoned = True
        session_id = str(uuid.uuid4())
        template = json.loads(json.dumps(template))
        template.setdefault("extensions", {})[SESSION_EXT] = session_id
        session = Session(session_id, str(uuid.uuid4()), registration.code, template, launch_mode,
                          mastery)
        self.sessions[session.token] = session
        return session

    def fetch(self, token: str) -> dict[str, str]:
        """The fetch URL's answer: the token once, then the spec's error JSON."""
        session = self.sessions.get(token)
        if session is None or session.fetched:
            return {"error-code": "1", "error-text": "Already in Use"}
        session.fetched = True
        return {"auth-token": base64.b64encode(f":{token}".encode()).decode()}

    def session_of(self, authorization: str) -> Session | None:
        """The session a request's Basic token belongs to; None when it is no cmi5 token."""
        try:
            secret = base64.b64decode(authorization.removeprefix("Basic ")).decode().split(":")[1]
        except (ValueError, IndexError):
            return None
        return self.sessions.get(secret)

    # -- before the LRS (beforeLRSRequest) ---------------------------------------------------
    def check(self, session: Session, method: str, resource: str, query: dict[str, str],
              body: bytes) -> list[str]:
        """Raises Refused for a request CATAPULT refuses; returns the verbs of the cmi5 defined
        statements it carries."""
        try:
            return self._check(session, method, resource, query, body)
        except Refused as refused:
            if refused.req_id and not (session.abandoned and refused.req_id == "8.1.2.0-2"):
                self.violations.append(f"{refused} [{method} {resource} {query.get('stateId')}"
                                       f" {body[:200]!r}]")
            else:
                self.abandoned_refusals.append(f"{refused} [{method} {resource}]")
            raise

    def _check(self, session: Session, method: str, resource: str, query: dict[str, str],
               body: bytes) -> list[str]:
        # proxied-lrs auth: every resource, before anything else.
        if not session.fetched:
            raise Refused("8.1.2.0-2", "Token not yet fetched")
        if session.terminated:
            raise Refused("8.1.2.0-2", "Session terminated")
        if session.abandoned:
            raise Refused("8.1.2.0-2", "Session abandoned")
        reg = self.registrations[session.registration]
        if resource == "statements" and method in ("POST", "PUT"):
            if not session.prefs_fetched:
                raise Refused("11.0.0.0-3", "Learner Prefs not yet retrieved")
            payload = json.loads(body)
            statements = payload if isinstance(payload, list) else [payload]
            seen: list[str] = []
            for st in statements:
                self._statement(session, reg, st, seen)
            return seen
        if resource in ("activities/state", "agents/profile"):
            if resource == "agents/profile" and "agent" not in query:
                raise Refused("11.0.0.0-1", "'agent' parameter missing", 400)
            if json.loads(query.get("agent", "null")) != reg.actor:
                raise Refused("8.1.3.0-3", f"{resource} request")
            if query.get("registration") and query["registration"] != reg.code:
                raise Refused("8.1.4.0-3", f"{resource} request")
            if query.get("stateId") == "LMS.LaunchData" and method != "GET":
                raise Refused("10.2.1.0-5", method)
            if query.get("profileId") == "cmi5LearnerPreferences" and method != "GET":
                raise Refused(None, "Rejected request to alter the learner preferences")
        return []

    def _statement(self, session: Session, reg: Registration, st: dict[str, Any],
                   seen: list[str]) -> None:
        for prop in ("actor", "verb", "object"):
            if prop not in st:
                raise Refused("4.1.0.0-1", f"Invalid statement missing: {prop}", 400)
        if "id" not in st:
            raise Refused("9.1.0.0-1", "Statement id missing")
        if "timestamp" not in st:
            raise Refused("9.7.0.0-1", st["id"])
        if not re.search(r"(Z|\+00:?(?:00)?)$", st["timestamp"]):
            raise Refused("9.7.0.0-2", st["id"])
        if st["actor"] != reg.actor:
            raise Refused("8.1.3.0-3", st["id"])
        ctx = st.get("context")
        if not ctx:
            raise Refused("9.6.0.0-1", f"no context: {st['id']}")
        if "contextActivities" not in ctx:
            raise Refused("10.2.1.0-6", f"no contextActivities: {st['id']}")
        self._template(ctx, session.template)
        cats = {c.get("id") for c in ctx["contextActivities"].get("category", [])}
        verb = st["verb"]["id"]
        if MOVEON in cats and (CMI5 not in cats or verb not in VERDICTS):
            raise Refused("9.6.2.2-2", st["id"])
        if ctx.get("registration") != reg.code:
            raise Refused("9.6.1.0-1", f"registration missing or different in {st['id']}")
        if not ctx.get("extensions", {}).get(SESSION_EXT):
            raise Refused("9.6.3.1-4", st["id"])
        if not session.initialized and verb != INITIALIZED:
            raise Refused("9.3.0.0-4", st["id"])
        if session.terminated:
            raise Refused("9.3.0.0-5", st["id"])
        if CMI5 in cats:
            self._cmi5_defined(session, reg, st, verb, cats, seen)

    @staticmethod
    def _template(ctx: dict[str, Any], template: dict[str, Any]) -> None:
        for prop, want in template.items():
            if prop == "contextActivities":
                for kind, acts in want.items():
                    have = ctx[prop].get(kind, [])
                    for i, act in enumerate(acts):
                        if i >= len(have) or have[i].get("id") != act["id"]:
                            raise Refused("10.2.1.0-6", f"context does not match template: "
                                                        f"'{prop}' '{kind}' '{i}' value differs")
            else:
                for key, value in want.items():
                    if ctx.get(prop, {}).get(key) != value:
                        raise Refused("10.2.1.0-6", f"context does not match template: "
                                                    f"'{prop}' '{key}' value differs")

    def _cmi5_defined(self, session: Session, reg: Registration, st: dict[str, Any], verb: str,
                      cats: set[str], seen: list[str]) -> None:
        sid = st["id"]
        actor = st["actor"]
        if actor.get("objectType", "Agent") != "Agent":
            raise Refused("9.2.0.0-2", sid)
        if "name" not in actor.get("account", {}) or "homePage" not in actor.get("account", {}):
            raise Refused("9.2.0.0-3", sid)
        if st["object"].get("id") != reg.activity_id:
            raise Refused("8.1.5.0-6", sid)
        if verb in VERDICTS and session.launch_mode in ("Browse", "Review"):
            raise Refused("10.2.2.0-2" if session.launch_mode == "Browse" else "10.2.2.0-3", sid)
        self._result(session, st, verb, cats)
        self._once(session, reg, st, verb, seen)
        seen.append(verb)

    @staticmethod
    def _result(session: Session, st: dict[str, Any], verb: str, cats: set[str]) -> None:
        sid, result = st["id"], st.get("result")
        if not result:
            missing = {COMPLETED: "9.5.3.0-1", PASSED: "9.5.2.0-1", FAILED: "9.5.2.0-2",
                       TERMINATED: "9.5.4.1-1"}
            if verb in missing:
                raise Refused(missing[verb], sid)
            return
        if "completion" in result and verb != COMPLETED:
            raise Refused("9.5.3.0-2", sid)
        if verb == COMPLETED and result.get("completion") is not True:
            raise Refused("9.5.3.0-1", sid)
        if "success" in result and verb not in (PASSED, FAILED):
            raise Refused("9.5.2.0-3", sid)
        if verb == PASSED and result.get("success") is not True:
            raise Refused("9.5.2.0-1", sid)
        if verb == FAILED and result.get("success") is not False:
            raise Refused("9.5.2.0-2", sid)
        if ("completion" in result or "success" in result) and MOVEON not in cats:
            raise Refused("9.6.2.2-1", sid)
        score = result.get("score")
        if score:
            if verb not in (PASSED, FAILED):
                raise Refused("9.5.1.0-2", sid)
            if score.get("raw") and ("min" not in score or "max" not in score):
                raise Refused("9.5.1.0-3", sid)
            if session.mastery:
                value = st["context"].get("extensions", {}).get(MASTERY_EXT)
                if value != session.mastery:
                    raise Refused("9.6.3.2-2", f"masteryScore extension {value!r}, "
                                               f"session {session.mastery!r} in {sid}")
        durations = {TERMINATED: "9.5.4.1-1", COMPLETED: "9.5.4.1-2", PASSED: "9.5.4.1-3",
                     FAILED: "9.5.4.1-4"}
        if "duration" not in result and verb in durations:
            raise Refused(durations[verb], sid)

    @staticmethod
    def _once(session: Session, reg: Registration, st: dict[str, Any], verb: str,
              seen: list[str]) -> None:
        sid, scaled = st["id"], (st.get("result", {}).get("score") or {}).get("scaled")
        mastery = session.mastery
        passed, failed = session.passed or PASSED in seen, session.failed or FAILED in seen
        if verb == INITIALIZED and (session.initialized or INITIALIZED in seen):
            raise Refused("9.3.0.0-2", f"Already initialized: {sid}")
        if verb == TERMINATED and TERMINATED in seen:
            raise Refused("9.3.0.0-2", f"Already terminated: {sid}")
        if verb == COMPLETED:
            if session.completed or COMPLETED in seen:
                raise Refused("9.3.0.0-2", f"Already completed: {sid}")
            if reg.completed:
                raise Refused("9.3.0.0-6", f"Already completed: {sid}")
        if verb == PASSED:
            if mastery and scaled is not None and scaled < mastery:
                raise Refused("9.3.4.0-2", f"Score {scaled} less than mastery score: {sid}")
            if passed:
                raise Refused("9.3.0.0-2", f"Already passed: {sid}")
            if failed:
                raise Refused("9.3.0.0-3", f"Already failed: {sid}")
            if reg.passed:
                raise Refused("9.3.0.0-7", f"Already passed: {sid}")
        if verb == FAILED:
            if mastery and scaled is not None and scaled >= mastery:
                raise Refused("9.3.6.0-1", f"Score {scaled} not below mastery score: {sid}")
            if failed:
                raise Refused("9.3.0.0-2", f"Already failed: {sid}")
            if passed:
                raise Refused("9.3.0.0-3", f"Already passed: {sid}")
            if reg.passed:
                raise Refused("9.3.0.0-8", f"Already passed: {sid}")
        if verb not in (INITIALIZED, TERMINATED, *VERDICTS):
            raise Refused("9.3.0.0-1", f"Unrecognized cmi5 defined statement: {verb} - {sid}")

    # -- after the LRS (afterLRSRequest): flags change only on 200/204 ------------------------
    def accepted(self, session: Session, resource: str, method: str, query: dict[str, str],
                 status: int, verbs: list[str]) -> None:
        if resource == "statements":
            if status in (200, 204):
                self._record(session, verbs)
        elif (resource == "agents/profile" and method == "GET"
              and query.get("profileId") == "cmi5LearnerPreferences" and status in (200, 404)):
            session.prefs_fetched = True

    def _record(self, session: Session, verbs: list[str]) -> None:
        reg = self.registrations[session.registration]
        for verb in verbs:
            if verb == INITIALIZED:
                session.initialized = True
            elif verb == TERMINATED:
                session.terminated = True
            elif verb == FAILED:
                session.failed = True
            elif verb == COMPLETED:
                session.completed = reg.completed = True
            elif verb == PASSED:
                session.passed = reg.passed = True
        need = {"Completed": reg.completed, "Passed": reg.passed,
                "CompletedOrPassed": reg.completed or reg.passed,
                "CompletedAndPassed": reg.completed and reg.passed}
        reg.satisfied = reg.satisfied or need.get(reg.move_on, False)
