# annals vocabularies: the annotations a vocabulary file uses (SPEC §7).
#
# A vocabulary is a Cap'n Proto schema file whose structs are event types, with one struct
# for the projected state, and annotations that say what each event type does to the state.
# It imports this file as "/annals/vocabulary.capnp":
#
#     @0xc2f5a1e0b9d84e17;                    # the file's own id (`capnp id` makes one)
#     using A = import "/annals/vocabulary.capnp";
#     $A.vocabulary("merger_review");
#
#     struct ReviewOpened $A.event("review_opened") $A.summary("{regulator} opens a review")
#         $A.on([(upsert = (path = "reviews", key = "data.regulator",
#                           fields = ["status = 'open'", "opened = effective"]))]) {
#       regulator @0 :Text $A.required;
#     }
#     struct State $A.state {
#       reviews @0 :List(Review) $A.map(key = "regulator");
#       struct Review { regulator @0 :Text; status @1 :Text; opened @2 :Text; }
#     }
#
# annals ships this file inside its binary (registration reads nothing else from disk but
# "/capnp/compat/json.capnp", for $Json.name) and installs it beside its headers, so that
# `capnp compile -I<includedir> -o- my.capnp` checks a vocabulary before it is registered.
#
# The meaning of each annotation and of refs, paths, effects, conditions and rules is in
# SPEC §7; what annals adds to it is marked "annals:" below.
#
# COMPATIBILITY: vocabularies in users' stores refer to these ids and field names.  Ids are
# never changed, ordinals never renumbered; new annotations and fields only ever added.

@0xcc24109067f17678;

$import "/capnp/c++.capnp".namespace("annals::vocab");

annotation vocabulary @0x9e7790ab104f81c4 (file) :Text;
# The vocabulary's name, [a-z][a-z0-9_]*.

annotation event @0x998eecab128f01f2 (struct) :Text;
# The struct is the `data` of an event type; the text is its JSON `type`.

annotation state @0xa24f318629a37bd9 (struct) :Void;
# The projected state: exactly one struct per file.  Its fields' JSON names (as $Json.name
# says) sit at the top level of `annals state` beside stream, as_of, known_at, facts,
# events_applied and tentative.

annotation required @0xf40578a24fb61e19 (field) :Void;
# An event field the input must give, non-empty.

annotation date @0xa8e1788940585439 (field) :Void;
# A Text field of an event that holds a fuzzy date (SPEC §1), validated like `effective`.

annotation summary @0xf0ba266ab67642a8 (struct) :Text;
# A one-line description of an event for `history`, `log` and the picture; each `{field}`
# is replaced by that data field's value (`{effective}` by the valid time).

annotation map @0xb37d4ddc52aade04 (field) :MapOptions;
# A state field of type List(Struct) that is a map: one element per key, sorted by key.
# JSON: {key: element without its key field}, or {key: value field} when `value` is given.

annotation on @0xc1339525e94bf1dd (struct) :List(Effect);
# What an event of this type does to the state, effect by effect, in order.

annotation derive @0xb8d4b749b2e8e84b (field) :List(Rule);
# A state field recomputed after every event and for the empty state: the `value` of the
# first rule whose `when` holds (unset when none holds).

annotation unset @0x8ba5687ce159b12f (field) :Unset;
# annals: how `annals state` shows a state field that is unset (empty text, false, 0, an
# empty list or map, a null struct).  Default: top-level fields show `null` (lists `[]`,
# maps `{}`); fields of nested structs and elements are left out.

annotation lane @0xe862c37ea1bbe441 (field) :Text;
# annals: where `annals timeline` draws the events that write this top-level state field.
# Fields with the same lane share one lane, in a section of that name: deal.capnp puts its
# launch target (flags that slip) and the launch itself on one "launch" lane.  On a map or
# a list it names the section of its entries' lanes.  Without it, each entry of a map and
# each element of a list (named by its first text field) gets a lane in a section named
# after the field, and every other field a lane of its own in a section named after the
# vocabulary.

enum Unset {
  omit @0;   # the member is left out
  null @1;   # "name": null
  empty @2;  # "name": "" (text), [] (list), {} (map), false, 0
}

struct MapOptions {
  key @0 :Text;    # the element's field that is the key
  value @1 :Text;  # optional: the element's field shown as the value
}

# A reference to a value, in a string:
#   data.F          a field of the event's data as corrected (data.F.G: nested)
#   effective       the event's valid time as written
#   state.P         a state field as the earlier effects of this event left it (state.P.Q)
#   it.F            the element under test inside `where` / `any`
#   'text'          a literal (an enumerant by name where an enum is expected)
#   true, false     booleans
#   123, -4         integers
# An unset value reads as empty text, an empty list, false, 0 or a null struct.

struct Effect {
  when @0 :List(Cond);  # every condition must hold, or the effect is skipped
  union {
    set @1 :Write;         # `path` becomes `value`, or a struct made of `fields`
    clear @2 :Write;       # `path` becomes unset
    upsert @3 :Write;      # map at `path`: [key] becomes a new element made of `fields`
    merge @4 :Write;       # map at `path`: [key] gets `fields`, other fields kept
    remove @5 :Write;      # map at `path`: [key] is deleted
    append @6 :Write;      # list at `path`: a new element made of `fields` is added
    updateLast @7 :Write;  # list at `path`: the last element matching `where` gets `fields`
  }
}

struct Write {
  path @0 :Text;           # a state field (nested: "a.b")
  key @1 :Text;            # a ref: the map key (upsert, merge, remove)
  value @2 :Text;          # a ref: the new value (set)
  fields @3 :List(Text);   # "name = ref" each: the fields of the struct written
  where @4 :List(Cond);    # updateLast: which elements match (refs to `it.F`)
  orAppend @5 :Bool;       # updateLast: with no match, append an element made of where's
                           # `it.F eq ref` equalities and `fields`
  history @6 :Text;        # set: a replaced value that was set is first appended to the
                           # list at this path
}

struct Cond {
  ref @0 :Text;
  union {
    eq @1 :Text;           # equals this ref (compared as text; enumerants by name)
    ne @2 :Text;           # differs from this ref
    in @3 :List(Text);     # equals one of these refs
    isSet @4 :Void;        # is set
    unset @5 :Void;        # is unset
    any @6 :List(Cond);    # some element of the list or map at `ref` satisfies all of these
  }
}

struct Rule {
  value @0 :Text;          # a ref: the derived value
  when @1 :List(Cond);     # every condition must hold; none: always
}
