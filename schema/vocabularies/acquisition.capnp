# acquisition: one company buying another, told from public reports (SPEC §7).
#
# A deal is announced with its terms, which may be revised (a raised offer, a restructured
# deal).  Regulators review it, each in phases (phase 1, then perhaps an in-depth phase 2),
# and decide: cleared, cleared with remedies, blocked, or the filing withdrawn.  Someone may
# sue to stop it (a competition authority, a rival, shareholders); courts rule, rulings are
# appealed.  Shareholders vote.  The merger agreement's outside date slips as the reviews run
# long.  The deal closes or is abandoned.  `status` is derived from all of it.
#
# Enums are used only for fields an event must give: Cap'n Proto has no "not given" for an
# enum (it reads as the first enumerant), so optional facts such as `consideration` are Text.
#
# A stream holds one deal, e.g. `msft-atvi` (examples/msft-atvi.jsonl).  Regulators, lawsuits
# and companies are keys: spell them the same way in every event of a stream.
#
# Written from SPEC §7 alone (only its annotations and $Json.name), as a user would write
# one.  COMPATIBILITY: a later version must keep every event type, every field of every event
# struct (same name, ordinal and type) and every enumerant (same name and place); add new
# ones at the end.  The state struct, effects, rules and summaries may change freely.

@0xf8c2c66b8073c7b6;

using A = import "/annals/vocabulary.capnp";
using Json = import "/capnp/compat/json.capnp";

$A.vocabulary("acquisition");

enum Phase { phase1 @0; phase2 @1; }                      # phase2: in-depth (EU Phase II,
                                                          # CMA Phase 2, a US second request)
enum Verdict { cleared @0; remedies @1; blocked @2; withdrawn @3; }
enum Ruling { blocked @0; allowed @1; dismissed @2; }     # what a court's order does to the deal
enum AppealOutcome { affirmed @0; reversed @1; remanded @2; dismissed @3; }
enum LawsuitEnd { withdrawn @0; dismissed @1; settled @2; }
enum VoteOutcome { approved @0; rejected @1; }

struct AcquisitionAnnounced $A.event("acquisition_announced")
    $A.summary("{acquirer} agrees to acquire {target} for {price}")
    $A.on([
      (set = (path = "acquirer", value = "data.acquirer")),
      (set = (path = "target", value = "data.target")),
      (set = (path = "terms", fields = ["price = data.price", "value = data.value",
                                        "consideration = data.consideration",
                                        "set = effective"])),
      (when = [(ref = "data.outside_date", isSet = void)],
       set = (path = "outside_date",
              fields = ["date = data.outside_date", "set = effective",
                        "reason = 'merger agreement'"],
              history = "outside_date.previous"))]) {
  acquirer @0 :Text $A.required;
  target @1 :Text $A.required;
  price @2 :Text $A.required;           # as reported: "$95.00 per share"
  value @3 :Text;                       # "$68.7 billion"
  consideration @4 :Text;               # "cash", "stock", "cash and stock"
  outsideDate @5 :Text $A.date $Json.name("outside_date");  # the agreement's end date
}

struct TermsRevised $A.event("terms_revised")
    $A.summary("terms revised: {price}, {change}")
    $A.on([(set = (path = "terms",
                   fields = ["price = data.price", "value = data.value",
                             "consideration = data.consideration", "set = effective",
                             "change = data.change"],
                   history = "terms.previous"))]) {
  price @0 :Text $A.required;
  value @1 :Text;
  consideration @2 :Text;
  change @3 :Text;                      # what changed: "offer raised", "cloud rights sold"
}

struct OutsideDateSet $A.event("outside_date_set")
    $A.summary("outside date now {date}: {reason}")
    $A.on([(set = (path = "outside_date",
                   fields = ["date = data.date", "set = effective", "reason = data.reason"],
                   history = "outside_date.previous"))]) {
  date @0 :Text $A.required $A.date;
  reason @1 :Text;
}

struct ShareholderVote $A.event("shareholder_vote")
    $A.summary("{company} shareholders: {outcome}")
    $A.on([(upsert = (path = "votes", key = "data.company",
                      fields = ["outcome = data.outcome", "held = effective",
                                "support = data.support"]))]) {
  company @0 :Text $A.required;
  outcome @1 :VoteOutcome $A.required;
  support @2 :Text;                     # "98% of votes cast"
}

struct ReviewOpened $A.event("review_opened")
    $A.summary("{regulator} opens a {phase} review")
    $A.on([
      # Phase 1 starts a review afresh: a new filing after a block or a withdrawal is a new
      # review, and what was decided on the old one goes.
      (when = [(ref = "data.phase", eq = "'phase1'")],
       upsert = (path = "reviews", key = "data.regulator",
                 fields = ["phase = data.phase", "status = 'open'", "opened = effective",
                           "reference = data.reference"])),
      # Phase 2 continues it (or starts the record of one whose phase 1 was not reported).
      (when = [(ref = "data.phase", eq = "'phase2'")],
       merge = (path = "reviews", key = "data.regulator",
                fields = ["phase = data.phase", "status = 'open'", "phase2 = effective"])),
      (when = [(ref = "data.phase", eq = "'phase2'"), (ref = "data.reference", isSet = void)],
       merge = (path = "reviews", key = "data.regulator",
                fields = ["reference = data.reference"]))]) {
  regulator @0 :Text $A.required;       # "CMA", "European Commission", "FTC", "SAMR"
  phase @1 :Phase $A.required;
  reference @2 :Text;                   # the regulator's case number
}

struct ReviewDecided $A.event("review_decided")
    $A.summary("{regulator}: {verdict}")
    $A.on([(merge = (path = "reviews", key = "data.regulator",
                     fields = ["status = data.verdict", "decided = effective",
                               "remedies = data.remedies"]))]) {
  regulator @0 :Text $A.required;
  verdict @1 :Verdict $A.required;
  remedies @2 :Text;                    # with `remedies`: what the parties committed to
}

struct LawsuitFiled $A.event("lawsuit_filed")
    $A.summary("{plaintiff} sues: {lawsuit}")
    $A.on([(upsert = (path = "lawsuits", key = "data.lawsuit",
                      fields = ["plaintiff = data.plaintiff", "court = data.court",
                                "seeks = data.seeks", "filed = effective",
                                "status = 'pending'"]))]) {
  lawsuit @0 :Text $A.required;         # its short name, the key: "FTC v. Microsoft"
  plaintiff @1 :Text $A.required;
  court @2 :Text;
  seeks @3 :Text;                       # "a preliminary injunction against closing"
}

struct CourtRuling $A.event("court_ruling")
    $A.summary("{lawsuit}: {outcome} ({court})")
    $A.on([
      (merge = (path = "lawsuits", key = "data.lawsuit",
                fields = ["ruling = data.outcome", "ruled = effective",
                          "interim = data.interim"])),
      # A final ruling decides the case at this level; an interim one (a temporary
      # restraining order) leaves it pending.
      (when = [(ref = "data.interim", unset = void)],
       merge = (path = "lawsuits", key = "data.lawsuit", fields = ["status = 'decided'"]))]) {
  lawsuit @0 :Text $A.required;
  outcome @1 :Ruling $A.required;
  interim @2 :Bool;                     # a temporary order pending the ruling proper
  court @3 :Text;
}

struct AppealFiled $A.event("appeal_filed")
    $A.summary("{lawsuit}: {appellant} appeals to {court}")
    $A.on([
      (append = (path = "appeals",
                 fields = ["lawsuit = data.lawsuit", "court = data.court",
                           "appellant = data.appellant", "filed = effective",
                           "status = 'pending'"])),
      (merge = (path = "lawsuits", key = "data.lawsuit", fields = ["status = 'appealed'"]))]) {
  lawsuit @0 :Text $A.required;
  court @1 :Text $A.required;
  appellant @2 :Text;
}

struct AppealDecided $A.event("appeal_decided")
    $A.summary("{lawsuit}: {court} {outcome}")
    $A.on([
      (updateLast = (path = "appeals",
                     where = [(ref = "it.lawsuit", eq = "data.lawsuit"),
                              (ref = "it.court", eq = "data.court")],
                     fields = ["status = data.outcome", "decided = effective"],
                     orAppend = true)),
      (merge = (path = "lawsuits", key = "data.lawsuit", fields = ["status = data.outcome"]))]) {
  lawsuit @0 :Text $A.required;
  court @1 :Text $A.required;
  outcome @2 :AppealOutcome $A.required;
}

struct LawsuitEnded $A.event("lawsuit_ended")
    $A.summary("{lawsuit}: {how}")
    $A.on([
      (merge = (path = "lawsuits", key = "data.lawsuit",
                fields = ["status = data.how", "ended = effective", "reason = data.reason"])),
      (updateLast = (path = "appeals",
                     where = [(ref = "it.lawsuit", eq = "data.lawsuit"),
                              (ref = "it.status", eq = "'pending'")],
                     fields = ["status = data.how", "decided = effective"]))]) {
  lawsuit @0 :Text $A.required;
  how @1 :LawsuitEnd $A.required;
  reason @2 :Text;
}

struct AcquisitionClosed $A.event("acquisition_closed")
    $A.summary("closed[ at {value}]")
    $A.on([(set = (path = "closed", fields = ["on = effective", "value = data.value"]))]) {
  value @0 :Text;                       # the final price, if reported
}

struct AcquisitionAbandoned $A.event("acquisition_abandoned")
    $A.summary("abandoned: {reason}")
    $A.on([(set = (path = "abandoned",
                   fields = ["on = effective", "reason = data.reason", "fee = data.fee"]))]) {
  reason @0 :Text $A.required;
  fee @1 :Text;                         # a termination fee paid, if any
}

struct State $A.state {
  # First match wins.  A regulator's block or a court order against the deal outranks
  # pending litigation, which outranks reviews still open.
  status @0 :Text $A.derive([
      (value = "'closed'", when = [(ref = "state.closed", isSet = void)]),
      (value = "'abandoned'", when = [(ref = "state.abandoned", isSet = void)]),
      (value = "'blocked'", when = [(ref = "state.reviews",
                                     any = [(ref = "it.status", eq = "'blocked'")])]),
      (value = "'blocked'", when = [(ref = "state.lawsuits",
                                     any = [(ref = "it.ruling", eq = "'blocked'"),
                                            (ref = "it.status", ne = "'reversed'"),
                                            (ref = "it.status", ne = "'withdrawn'"),
                                            (ref = "it.status", ne = "'dismissed'"),
                                            (ref = "it.status", ne = "'settled'")])]),
      (value = "'litigation'", when = [(ref = "state.lawsuits",
                                        any = [(ref = "it.status",
                                                in = ["'pending'", "'appealed'",
                                                      "'remanded'"])])]),
      (value = "'under_review'", when = [(ref = "state.reviews",
                                          any = [(ref = "it.status", eq = "'open'")])]),
      (value = "'cleared'", when = [(ref = "state.reviews",
                                     any = [(ref = "it.status",
                                             in = ["'cleared'", "'remedies'"])])]),
      (value = "'announced'", when = [(ref = "state.terms", isSet = void)]),
      (value = "'none'")]);
  acquirer @1 :Text;
  target @2 :Text;
  terms @3 :Terms;
  outsideDate @4 :OutsideDate $Json.name("outside_date");
  reviews @5 :List(Review) $A.map(key = "regulator");
  lawsuits @6 :List(Lawsuit) $A.map(key = "name");
  appeals @7 :List(Appeal);
  votes @8 :List(Vote) $A.map(key = "company");
  closed @9 :Closed;
  abandoned @10 :Abandoned;

  struct PriorTerms {
    price @0 :Text;
    value @1 :Text;
    consideration @2 :Text;
    set @3 :Text;
    change @4 :Text;
  }
  struct Terms {
    price @0 :Text;
    value @1 :Text;
    consideration @2 :Text;
    set @3 :Text;                       # when these terms were agreed
    change @4 :Text;
    previous @5 :List(PriorTerms);      # the terms they replaced, oldest first
  }
  struct PriorOutsideDate {
    date @0 :Text;
    set @1 :Text;
    reason @2 :Text;
  }
  struct OutsideDate {
    date @0 :Text;
    set @1 :Text;
    reason @2 :Text;
    previous @3 :List(PriorOutsideDate);  # the dates it replaced, oldest first
  }
  struct Review {
    regulator @0 :Text;
    phase @1 :Text;                     # phase1 | phase2
    status @2 :Text;                    # open | cleared | remedies | blocked | withdrawn
    opened @3 :Text;                    # phase 1 opened
    phase2 @4 :Text;                    # phase 2 (in-depth) opened
    decided @5 :Text;
    remedies @6 :Text;
    reference @7 :Text;
  }
  struct Lawsuit {
    name @0 :Text;
    plaintiff @1 :Text;
    court @2 :Text;
    seeks @3 :Text;
    filed @4 :Text;
    status @5 :Text;   # pending | decided | appealed | affirmed | reversed | remanded |
                       # withdrawn | dismissed | settled
    ruling @6 :Text;   # the latest ruling: blocked | allowed | dismissed
    ruled @7 :Text;
    interim @8 :Bool;  # the latest ruling is a temporary order
    ended @9 :Text;
    reason @10 :Text;
  }
  struct Appeal {
    lawsuit @0 :Text;
    court @1 :Text;
    appellant @2 :Text;
    filed @3 :Text;
    status @4 :Text;   # pending | affirmed | reversed | remanded | dismissed | withdrawn |
                       # settled
    decided @5 :Text;
  }
  struct Vote {
    company @0 :Text;
    outcome @1 :Text;  # approved | rejected
    held @2 :Text;
    support @3 :Text;
  }
  struct Closed {
    on @0 :Text;
    value @1 :Text;
  }
  struct Abandoned {
    on @0 :Text;
    reason @1 :Text;
    fee @2 :Text;
  }
}
