// Copyright annals authors.
//
// A state tree (vocabulary/state_tree.h Node) as a Checkpoint.Node of
// schema/checkpoint.capnp: how checkpoints store a folded state, and how the server sends
// one to a client (schema/server.capnp State.root).

#ifndef ANNALS_STORE_SRC_CHECKPOINT_NODE_H_
#define ANNALS_STORE_SRC_CHECKPOINT_NODE_H_

#include "checkpoint.capnp.h"
#include "vocabulary/state_tree.h"

namespace annals {
namespace internal {

void EncodeNode(const Node& n, schema::Checkpoint::Node::Builder b);
// Throws kj::Exception for a tree nested deeper than 64 levels (and for malformed bytes,
// as every Cap'n Proto read does): callers translate it.
Node DecodeNode(schema::Checkpoint::Node::Reader b, int depth);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_CHECKPOINT_NODE_H_
