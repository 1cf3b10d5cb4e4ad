// cluster_ddl: ClickStack's schema for a ClickHouse cluster (shards and
// replicas), made from the single-server statements of clickstack_schema.h.
//
// For a cluster named C, every statement runs ON CLUSTER C and:
// - each MergeTree-family table T becomes T_local with the Replicated engine
//   (Keeper path /clickhouse/tables/{shard}/<db>.T_local, replica {replica};
//   the {shard} and {replica} macros come from each server's config), plus a
//   Distributed table T over T_local, so HyperDX and the gateway keep using
//   the ClickStack names;
// - the rollup materialized views read T_local and write R_local on every
//   shard (a view fires on the local insert the Distributed table makes);
// - the Distributed tables that the gateway writes shard by a deterministic
//   key, so a batch re-sent with the same deduplication token splits into the
//   same per-shard blocks and each shard drops its duplicate.
//
// Pure functions; the statements are idempotent (IF NOT EXISTS).
#pragma once

#include <string>
#include <vector>

namespace otelhouse {

// `single` must be statements as clickStackSchema() makes them for `database`.
std::vector<std::string> clusterSchema(const std::vector<std::string>& single, const std::string& cluster,
                                       const std::string& database);

// The sharding key of the Distributed table over `table`.
std::string shardingKey(const std::string& table);

}  // namespace otelhouse
