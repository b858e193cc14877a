# annals event schema: the storage format and the JSON Lines wire format.
#
# The stored value of every event in the log is the canonical Cap'n Proto encoding
# (capnp::canonicalize) of an `Event` struct below, with `hash` set.  In the JSON shape of
# SPEC §5 (store/src/event_json.cc) the envelope fields keep the names the `$Json`
# annotations here give them, and `data` is mapped by Cap'n Proto's JsonCodec from the
# data struct of the event's type: a variant below, or a vocabulary's struct (`custom`).
#
# COMPATIBILITY RULES (this file is an on-disk format):
#   * Ordinals are never renumbered and never reused.
#   * New fields and new union variants are only ever added at the end, with new ordinals.
#   * Enumerants are never reordered; new ones are appended.
# Breaking any of these silently corrupts the meaning of every existing store and breaks
# the hash chain of every exported file.

@0xdfdffafaa73fdd30;

using Json = import "/capnp/compat/json.capnp";

$import "/capnp/c++.capnp".namespace("annals::schema");

enum Confidence {
  confirmed @0;
  reported @1;
  rumored @2;
}

struct Source {
  publisher @0 :Text;
  url @1 :Text;
  published @2 :Text;
}

# Where a re-recorded event was first recorded (`import --from-export`): the store-assigned
# fields of the export line it came from.  Set by the store, never by a caller; not part of
# the event's content (id idempotency compares the rest), but covered by its hash.
struct Provenance {
  recordedAt @0 :Text $Json.name("recorded_at");   # RFC 3339 UTC, microseconds
  seq @1 :UInt64;
  hash @2 :Text;          # the event's hash in the store it came from
}

# ---- data of each event type (SPEC §2) -------------------------------------------------

enum TalksStatus {
  opened @0;
  ongoing @1;
  stalled @2;
  ended @3;
}

struct PartnerTalks {
  partner @0 :Text;
  status @1 :TalksStatus;
  reason @2 :Text;
}

struct PartnerChosen {
  partner @0 :Text;
  role @1 :Text;
}

struct SubmissionFiled {
  regulator @0 :Text;
  scope @1 :Text;
  with @2 :List(Text);
}

enum Decision {
  approved @0;
  rejected @1;
  conditional @2;
}

struct SubmissionDecided {
  regulator @0 :Text;
  decision @1 :Decision;
  conditions @2 :Text;
}

struct LaunchTargetSet {
  target @0 :Text;        # a fuzzy date (SPEC §1), validated on append
  scope @1 :Text;
  internal @2 :Bool;
}

struct Launched {
  scope @0 :Text;
  release @1 :Text;
}

struct Fact {
  key @0 :Text;
  value @1 :Text;         # empty or absent removes the key from the state
}

struct Note {
  text @0 :Text;
}

struct Correction {
  target @0 :Text;        # id of a domain event of the same stream
  effective @1 :Text;     # replacement valid time (fuzzy date), optional
  data @2 :Json.Value;    # replacement fields of the target's data (an object), optional
  reason @3 :Text;
}

struct Retraction {
  target @0 :Text;        # id of a domain event of the same stream
  reason @1 :Text;
}

struct CustomEvent {
  type @0 :Text;          # the event type's name (its JSON "type")
  data @1 :AnyPointer;    # a struct of the type's data schema in its vocabulary
}

struct VocabularyEvent {
  name @0 :Text;          # [a-z][a-z0-9_]*
  version @1 :UInt32;     # 1, 2, 3... per name; the built-in `deal` starts at 2
  source @2 :Text;        # the vocabulary file's text
}

# ---- the event envelope ----------------------------------------------------------------

struct Event $Json.discriminator(name = "type", valueName = "data") {
  # Fields a caller supplies (import/append).  Together they are the event's "content",
  # compared byte-for-byte (canonical form) for id idempotency.
  id @0 :Text;
  stream @1 :Text;
  effective @2 :Text;     # valid time as written (fuzzy date text); parsed on read
  confidence @3 :Confidence = reported;
  source @4 :Source;
  recordedBy @5 :Text $Json.name("recorded_by");

  # The event type: JSON "type" names the variant, JSON "data" holds its value.
  union {
    partnerTalks @6 :PartnerTalks $Json.name("partner_talks");
    partnerChosen @7 :PartnerChosen $Json.name("partner_chosen");
    submissionFiled @8 :SubmissionFiled $Json.name("submission_filed");
    submissionDecided @9 :SubmissionDecided $Json.name("submission_decided");
    launchTargetSet @10 :LaunchTargetSet $Json.name("launch_target_set");
    launched @11 :Launched;
    fact @12 :Fact;
    note @13 :Note;
    correction @14 :Correction;
    retraction @15 :Retraction;
    # The event types of registered vocabularies (SPEC §7): the type's name and its data,
    # a struct of the vocabulary's schema.  The types of the built-in vocabulary `deal`
    # keep the variants above, which they had before vocabularies existed.
    custom @21 :CustomEvent;
    # The registration of a vocabulary version, in the stream `$vocabulary`.
    vocabulary @22 :VocabularyEvent;
  }

  # Fields the store assigns on append (present in export, refused on import).
  seq @16 :UInt64;        # store-wide position, 1, 2, 3...
  version @17 :UInt64;    # position within its stream, 1, 2, 3...
  recordedAt @18 :Text $Json.name("recorded_at");   # RFC 3339 UTC, microseconds
  prevHash @19 :Text $Json.name("prev_hash");       # lower-case hex SHA-256
  hash @20 :Text;         # SHA-256(prev_hash bytes || canonical(event without hash))

  # Present only on events re-recorded from another store's export (ordinals 21 and 22
  # are the union's `custom` and `vocabulary`).
  importedFrom @23 :Provenance $Json.name("imported_from");
}
