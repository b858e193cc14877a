# annals cluster log: the messages of the NATS JetStream stream that is a cluster's log of
# record (SPEC §9, store/src/cluster/), and the outcome each node records for a request.
#
# Every node applies every message, in stream order, with the store's ordinary validation;
# so a message must carry everything the outcome depends on: the events with their ids
# (chosen by the publishing node), the expected versions, the labels for messages.  The
# rest (recorded_at) comes from the message's JetStream timestamp.
#
# COMPATIBILITY: ordinals are never renumbered or reused; fields are only added at the
# end.  `rules` is the version of the validation rules a publisher assumes: a node whose
# rules are older stops applying rather than decide differently from its peers.

@0xcc6f2b9a7d0e4e51;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("annals::cluster");

using Event = import "event.capnp".Event;
using Rpc = import "server.capnp";

# The validation rules this version of annals applies (Request.rules).
const rules :UInt32 = 1;

# One message of the log: one or more independent appends (those a node gathered while
# its previous message was in flight), each atomic on its own, each with its request id.
struct Request {
  rules @0 :UInt32;
  node @1 :Text;                 # the publishing node (for diagnostics only)
  appends @2 :List(Append);
}

struct Append {
  requestId @0 :Text;            # unique; the key of the node's outcome record
  events @1 :List(Event);        # every one with its id set
  expected @2 :List(Rpc.ExpectedVersion);
  labels @3 :List(Text);
  # Set instead of events: a vocabulary registration (`annals vocab add`), always alone in
  # its message.
  registration @4 :Registration;
  # An import larger than one message travels as staged chunks (each an Append with
  # `stage` set, applied by storing it: nothing becomes visible) and then one Append with
  # `commit` set, which applies every staged chunk, in order, as ONE atomic append and
  # deletes them.  So an import never half-appears on any node.
  stage @5 :Stage;
  commit @6 :Commit;
}

struct Stage {
  importId @0 :Text;
  chunk @1 :UInt64;              # 0, 1, 2, ...
}

struct Commit {
  importId @0 :Text;
  chunks @1 :UInt64;             # how many were staged
}

struct Registration {
  source @0 :Text;               # the vocabulary file's text
  fileName @1 :Text;             # names it in messages
  eventId @2 :Text;              # the id of its registration event (chosen by the publisher)
}

# What applying an Append gave; stored under "cluster/r/" requestId (store/src/format.h).
struct Outcome {
  outcome @0 :Rpc.Outcome;
  results @1 :List(Rpc.AppendResult);
  vocabulary @2 :Rpc.VocabularyInfo;   # of a registration (without its source)
}
