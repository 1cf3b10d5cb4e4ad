// Packet codes and protocol revisions of the ClickHouse native protocol.
//
// Both sides announce a revision in Hello; each then writes and reads every
// revision-dependent field by min(client, server). kClientRevision is the
// newest revision whose every field this client writes and reads; a field
// added after it is never sent by the server (it speaks our revision).
#pragma once

#include <cstdint>

namespace otelhouse::clickhouse {

// 54429: settings in Query travel as strings with flags; everything older
// is handled below. Servers since 19.x speak it; 18.16 speaks 54413 or so.
inline constexpr uint64_t kClientRevision = 54429;
inline constexpr uint64_t kClientVersionMajor = 1;
inline constexpr uint64_t kClientVersionMinor = 0;
inline constexpr uint64_t kClientVersionPatch = 0;

namespace revision {
inline constexpr uint64_t kTemporaryTables = 50264;      // external table name in Data
inline constexpr uint64_t kTotalRowsInProgress = 51554;
inline constexpr uint64_t kBlockInfo = 51903;
inline constexpr uint64_t kClientInfo = 54032;
inline constexpr uint64_t kServerTimezone = 54058;
inline constexpr uint64_t kQuotaKeyInClientInfo = 54060;
inline constexpr uint64_t kServerDisplayName = 54372;
inline constexpr uint64_t kVersionPatch = 54401;
inline constexpr uint64_t kServerLogs = 54406;
inline constexpr uint64_t kColumnDefaultsMetadata = 54410;
inline constexpr uint64_t kClientWriteInfo = 54420;
inline constexpr uint64_t kSettingsAsStrings = 54429;
}  // namespace revision

enum class ClientPacket : uint64_t { kHello = 0, kQuery = 1, kData = 2, kCancel = 3, kPing = 4 };

enum class ServerPacket : uint64_t {
  kHello = 0,
  kData = 1,
  kException = 2,
  kProgress = 3,
  kPong = 4,
  kEndOfStream = 5,
  kProfileInfo = 6,
  kTotals = 7,
  kExtremes = 8,
  kTablesStatus = 9,
  kLog = 10,
  kTableColumns = 11,
  kPartUuids = 12,
  kReadTaskRequest = 13,
  kProfileEvents = 14,
};

inline constexpr uint64_t kStageComplete = 2;
inline constexpr uint8_t kQueryKindInitial = 1;
inline constexpr uint8_t kInterfaceTcp = 1;

}  // namespace otelhouse::clickhouse
