// Copyright annals authors.
//
// Compiled by CTest against the include view of the log layer (store/CMakeLists.txt):
// LayeringTest.ALowerLayerCannotIncludeAHigherOne expects this to fail, because the
// bitemporal layer sits above the log layer.
#include "log/format.h"
#include "bitemporal/projection.h"
