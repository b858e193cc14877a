// Copyright annals authors.
//
// Compiled by CTest against the include view of the log layer: the counterpart of
// log_includes_bitemporal.cc, which must compile, so that the other test fails for the
// layering and not for a missing include path.
#include "codec/event_rep.h"
#include "log/format.h"
