# deal: the built-in vocabulary of annals (SPEC §2).  A company talks to partners, chooses
# one, files for regulatory approval, sets launch targets that slip, and launches.
#
# It is run by the same engine as every registered vocabulary; it is active in every store
# as version 1 (without a seq) and may be upgraded like any other (`annals vocab add`).
#
# Its event structs are the storage format of the first annals stores: they match, field
# for field, the `data` structs of schema/event.capnp, where deal events are stored.

@0xa8f3e2d1c0b49a57;

using A = import "/annals/vocabulary.capnp";
using Json = import "/capnp/compat/json.capnp";

$A.vocabulary("deal");

enum TalksStatus { opened @0; ongoing @1; stalled @2; ended @3; }
enum Decision { approved @0; rejected @1; conditional @2; }

struct PartnerTalks $A.event("partner_talks") $A.summary("{partner}: talks {status}[ ({reason})]")
    $A.on([
      (upsert = (path = "partners", key = "data.partner",
                 fields = ["status = data.status", "since = effective", "reason = data.reason"])),
      (when = [(ref = "data.status", eq = "'ended'"),
               (ref = "state.chosen_partner", eq = "data.partner")],
       clear = (path = "chosen_partner"))]) {
  partner @0 :Text $A.required;
  status @1 :TalksStatus $A.required;
  reason @2 :Text;
}

struct PartnerChosen $A.event("partner_chosen") $A.summary("{partner} chosen[ ({role})]")
    $A.on([
      (when = [(ref = "state.chosen_partner", isSet = void),
               (ref = "state.chosen_partner", ne = "data.partner")],
       merge = (path = "partners", key = "state.chosen_partner",
                fields = ["status = 'dropped'", "since = effective"])),
      (merge = (path = "partners", key = "data.partner",
                fields = ["status = 'chosen'", "since = effective", "role = data.role"])),
      (set = (path = "chosen_partner", value = "data.partner"))]) {
  partner @0 :Text $A.required;
  role @1 :Text;
}

struct SubmissionFiled $A.event("submission_filed") $A.summary("{regulator}: filed[ \"{scope}\"][ with {with}]")
    $A.on([(append = (path = "submissions",
                      fields = ["regulator = data.regulator", "filed = effective",
                                "scope = data.scope", "with = data.with",
                                "status = 'pending'"]))]) {
  regulator @0 :Text $A.required;
  scope @1 :Text;
  with @2 :List(Text);
}

struct SubmissionDecided $A.event("submission_decided") $A.summary("{regulator}: {decision}[ ({conditions})]")
    $A.on([(updateLast = (path = "submissions",
                          where = [(ref = "it.regulator", eq = "data.regulator")],
                          fields = ["status = data.decision", "decided = effective",
                                    "conditions = data.conditions"],
                          orAppend = true))]) {
  regulator @0 :Text $A.required;
  decision @1 :Decision $A.required;
  conditions @2 :Text;
}

struct LaunchTargetSet $A.event("launch_target_set") $A.summary("target {target}[ ({scope}[, {internal}])]")
    $A.on([(set = (path = "launch_target",
                   fields = ["target = data.target", "scope = data.scope", "set = effective",
                             "internal = data.internal"],
                   history = "launch_target.previous"))]) {
  target @0 :Text $A.required $A.date;
  scope @1 :Text;
  internal @2 :Bool;
}

struct Launched $A.event("launched") $A.summary("launched[ {scope}][ ({release})]")
    $A.on([(set = (path = "launched",
                   fields = ["on = effective", "scope = data.scope",
                             "release = data.release"]))]) {
  scope @0 :Text;
  release @1 :Text;
}

struct State $A.state {
  phase @0 :Text $A.derive([
      (value = "'launched'", when = [(ref = "state.launched", isSet = void)]),
      (value = "'approved'", when = [(ref = "state.submissions",
                                      any = [(ref = "it.status",
                                              in = ["'approved'", "'conditional'"])])]),
      (value = "'submitted'", when = [(ref = "state.submissions",
                                       any = [(ref = "it.status", eq = "'pending'")])]),
      (value = "'rejected'", when = [(ref = "state.submissions",
                                      any = [(ref = "it.status", eq = "'rejected'")])]),
      (value = "'partner_chosen'", when = [(ref = "state.chosen_partner", isSet = void)]),
      (value = "'exploring'", when = [(ref = "state.partners", isSet = void)]),
      (value = "'none'")]);
  partners @1 :List(Partner) $A.map(key = "name");
  chosenPartner @2 :Text $Json.name("chosen_partner");
  submissions @3 :List(Submission);
  # The picture draws the targets (flags that slip) and the launch on one "launch" lane.
  launchTarget @4 :LaunchTarget $Json.name("launch_target") $A.lane("launch");
  launched @5 :LaunchedState $A.lane("launch");

  struct Partner {
    name @0 :Text;
    status @1 :Text;   # opened | ongoing | stalled | ended | chosen | dropped
    since @2 :Text;
    reason @3 :Text;
    role @4 :Text;
  }
  struct Submission {
    regulator @0 :Text;
    filed @1 :Text $A.unset(null);   # null: a decision arrived with no filing
    scope @2 :Text $A.unset(empty);
    with @3 :List(Text);
    status @4 :Text;                 # pending | approved | rejected | conditional
    decided @5 :Text;
    conditions @6 :Text;
  }
  struct Target {
    target @0 :Text;
    scope @1 :Text $A.unset(empty);
    set @2 :Text;
    internal @3 :Bool;
  }
  struct LaunchTarget {
    target @0 :Text;
    scope @1 :Text $A.unset(empty);
    set @2 :Text;
    internal @3 :Bool;
    previous @4 :List(Target) $A.unset(empty);  # the targets it replaced, oldest first
  }
  struct LaunchedState {
    on @0 :Text;
    scope @1 :Text $A.unset(empty);
    release @2 :Text $A.unset(empty);
  }
}
