// NativeConnection: one session of the ClickHouse native TCP protocol.
//
// connect() opens the transport, sends Hello with kClientRevision and reads
// the server's Hello; every later revision-dependent field is written and
// read by min(client, server) (revision()). Then:
//   query(sql)                      -> result blocks (Data packets), or the server's exception
//   beginInsert(sql) -> header      -> the table's columns and types as the server wants them
//   sendBlock(...) * n, endInsert() -> the rows are stored once endInsert() is ok
//   ping()
// Progress, ProfileInfo, TableColumns, Log, Totals/Extremes and ProfileEvents
// packets are read and skipped. Data packets are compressed (LZ4/ZSTD frames)
// when ConnectionOptions::compress is set; the server then compresses its
// Data packets too (with its network_compression_method).
//
// Errors: network, timeout and malformed server bytes -> Status::unavailable
// and broken() turns true (the owner drops the connection). A server exception
// -> Status::invalid("Code: N. DB::Exception: ...") with the server's text,
// and the session is marked broken too: whether the server consumed the rest
// of our packets before failing differs by version and by where it failed.
// Not thread-safe; one user at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clickhouse/compression.h"
#include "clickhouse/native_block.h"
#include "clickhouse/protocol.h"
#include "clickhouse/transport.h"
#include "common/status.h"

namespace otelhouse::clickhouse {

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9000;
  TlsOptions tls;
  std::string user = "default";
  std::string password;
  std::string database = "default";
  int64_t connect_timeout_ms = 5000;
  int64_t timeout_ms = 5000;  // per read or write
  bool compress = false;
  FrameMethod method = FrameMethod::kLz4;
  std::string client_name = "otelhouse";
};

struct ServerInfo {
  std::string name;
  uint64_t version_major = 0;
  uint64_t version_minor = 0;
  uint64_t version_patch = 0;
  uint64_t revision = 0;
  std::string timezone;
  std::string display_name;
  bool atLeast(uint64_t major, uint64_t minor) const {
    return version_major > major || (version_major == major && version_minor >= minor);
  }
};

// A block that owns its bytes; `block`'s views point into *bytes, which
// stays put when the OwnedBlock moves.
struct OwnedBlock {
  std::unique_ptr<std::string> bytes;
  NativeBlock block;
};

using QuerySettings = std::vector<std::pair<std::string, std::string>>;

class NativeConnection {
 public:
  static Result<std::unique_ptr<NativeConnection>> connect(const ConnectionOptions& options);

  const ServerInfo& server() const { return server_; }
  uint64_t revision() const { return revision_; }
  bool broken() const { return broken_; }
  // The code of the last exception the server sent (0: none yet).
  int lastExceptionCode() const { return last_exception_code_; }

  Status ping();
  // Runs sql; appends result blocks (with rows or not) to *blocks when given.
  Status query(std::string_view sql, const QuerySettings& settings, std::vector<OwnedBlock>* blocks);
  Status beginInsert(std::string_view sql, const QuerySettings& settings, OwnedBlock* header);
  // Columns in revision-0 layout (NativeColumn::data as in a Native stream).
  Status sendBlock(uint64_t rows, const std::vector<NativeColumn>& columns);
  Status endInsert();

 private:
  explicit NativeConnection(ConnectionOptions options);
  Status hello();
  Status sendQuery(std::string_view sql, const QuerySettings& settings);
  Status sendData(std::string_view block_body);
  Status send(std::string_view bytes);
  // Reads one packet; Data/Totals/Extremes blocks go to *block when given.
  Status readPacket(ServerPacket* type, OwnedBlock* block);
  Status readException();
  Status readDataBlock(bool compressed, OwnedBlock* block);
  Status fail(Status st);

  class SocketSource : public Source {
   public:
    explicit SocketSource(NativeConnection* c) : c_(c) {}
    Status readSome(std::string* out) override;

   private:
    NativeConnection* c_;
  };

  ConnectionOptions options_;
  std::unique_ptr<Transport> transport_;
  SocketSource source_{this};
  Input in_{&source_};
  ServerInfo server_;
  uint64_t revision_ = 0;
  bool broken_ = false;
  int last_exception_code_ = 0;
  bool inserting_ = false;
};

}  // namespace otelhouse::clickhouse
