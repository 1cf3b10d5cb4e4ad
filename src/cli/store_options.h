// The config's storage settings as the Store's options (sinks/store.h).
#pragma once

#include "ops/config.h"
#include "sinks/store.h"

namespace otelhouse {

StoreOptions storeOptionsFrom(const Config& config);

}  // namespace otelhouse
