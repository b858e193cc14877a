# annals checkpoint schema: a folded stream state stored in the `checkpoint` column family
# (store/src/checkpoint.cc), so that an as-of query folds only the events after the nearest
# checkpoint.  The state is the fold's tree (store/src/vocabulary/state_tree.h) under one
# version of the stream's vocabulary, which the checkpoint names: a query that folds with
# another version does not use it.
#
# Checkpoints are derived data: a store can drop them all and rebuild them from the log.
# Still, a store written by one annals version is read by the next, so the same
# COMPATIBILITY RULES as schema/event.capnp apply: ordinals are never renumbered or
# reused, new fields are added at the end only.

@0x83630cc2e807342f;

$import "/capnp/c++.capnp".namespace("annals::schema");

struct Checkpoint {
  validFrom @0 :UInt64;       # global seq from which the fold holds (the stream's last seq
                              # when it was taken); valid for every later seq until an
                              # append that changes the fold before it deletes it
  eventsApplied @1 :UInt64;   # domain events folded up to and including the position
  partners @2 :List(Partner); # by name
  chosenPartner @3 :Text;     # absent: none
  submissions @4 :List(Submission);
  launchTarget @5 :LaunchTarget;  # absent: none
  launched @6 :Launched;          # absent: none
  facts @7 :List(Fact);           # by key
  open @8 :List(OpenEvent);   # folded events whose latest instant is after the position,
                              # in fold order: they are `tentative` for an as-of before it
  # Fields 2-6 held the state of the one event vocabulary annals had before vocabularies;
  # they are no longer written, and a checkpoint without `vocabulary` and `state` (below)
  # is never used for a stream that has a vocabulary.
  vocabulary @9 :Text;        # the vocabulary of the fold; absent: the stream had none
  vocabularyVersion @10 :UInt32;
  state @11 :Node;            # the vocabulary's state (absent: none)

  # A node of the state tree: the same tags as annals' Node.
  struct Node {
    union {
      unset @0 :Void;
      text @1 :Text;
      bool @2 :Bool;
      int @3 :Int64;
      uint @4 :UInt64;
      float @5 :Float64;
      enum @6 :UInt16;
      list @7 :List(Node);
      map @8 :List(Entry);
      struct @9 :List(Node);
    }
  }
  struct Entry {
    key @0 :Text;
    value @1 :Node;
  }

  struct Partner {
    name @0 :Text;
    status @1 :Text;
    since @2 :Text;
    reason @3 :Text;
    role @4 :Text;
  }

  struct Submission {
    regulator @0 :Text;
    filed @1 :Text;             # absent: null (a decision arrived with no filing)
    scope @2 :Text;
    with @3 :List(Text);
    status @4 :Text;
    decided @5 :Text;
    conditions @6 :Text;
  }

  struct TargetEntry {
    target @0 :Text;
    scope @1 :Text;
    set @2 :Text;
    internal @3 :Bool;
  }

  struct LaunchTarget {
    current @0 :TargetEntry;
    previous @1 :List(TargetEntry);
  }

  struct Launched {
    on @0 :Text;
    scope @1 :Text;
    release @2 :Text;
  }

  struct Fact {
    key @0 :Text;
    value @1 :Text;
  }

  struct OpenEvent {
    id @0 :Text;
    latest @1 :Int64;
  }
}
