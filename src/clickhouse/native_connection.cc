#include "clickhouse/native_connection.h"

#include <unistd.h>

#include "clickhouse/protocol.h"

namespace otelhouse::clickhouse {

Status NativeConnection::SocketSource::readSome(std::string* out) {
  return c_->transport_->readSome(out, c_->options_.timeout_ms);
}

NativeConnection::NativeConnection(ConnectionOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<NativeConnection>> NativeConnection::connect(const ConnectionOptions& options) {
  std::unique_ptr<NativeConnection> c(new NativeConnection(options));
  auto t = Transport::connect(options.host, options.port, options.tls, options.connect_timeout_ms);
  if (!t.isOk()) return t.status();
  c->transport_ = std::move(t.value());
  Status st = c->hello();
  if (!st.isOk()) return st;
  return c;
}

Status NativeConnection::fail(Status st) {
  broken_ = true;
  if (st.code() == Code::kInvalidArgument || st.code() == Code::kUnsupported) {
    // Malformed bytes from the server: the session cannot continue, and
    // another attempt (maybe another server) may succeed.
    return Status::unavailable("protocol error from " + transport_->peer() + ": " + st.message());
  }
  return st;
}

Status NativeConnection::send(std::string_view bytes) {
  Status st = transport_->writeAll(bytes, options_.timeout_ms);
  if (!st.isOk()) broken_ = true;
  return st;
}

Status NativeConnection::hello() {
  std::string out;
  putVarUInt(out, static_cast<uint64_t>(ClientPacket::kHello));
  putString(out, options_.client_name);
  putVarUInt(out, kClientVersionMajor);
  putVarUInt(out, kClientVersionMinor);
  putVarUInt(out, kClientRevision);
  putString(out, options_.database);
  putString(out, options_.user);
  putString(out, options_.password);
  Status st = send(out);
  if (!st.isOk()) return st;

  uint64_t type = 0;
  st = in_.readVarUInt(&type);
  if (!st.isOk()) return fail(st);
  if (type == static_cast<uint64_t>(ServerPacket::kException)) return readException();
  if (type != static_cast<uint64_t>(ServerPacket::kHello)) {
    return fail(Status::invalid("expected Hello, got packet " + std::to_string(type)));
  }
  st = in_.readString(&server_.name);
  if (st.isOk()) st = in_.readVarUInt(&server_.version_major);
  if (st.isOk()) st = in_.readVarUInt(&server_.version_minor);
  if (st.isOk()) st = in_.readVarUInt(&server_.revision);
  if (!st.isOk()) return fail(st);
  revision_ = std::min(kClientRevision, server_.revision);
  if (revision_ >= revision::kServerTimezone) st = in_.readString(&server_.timezone);
  if (st.isOk() && revision_ >= revision::kServerDisplayName) st = in_.readString(&server_.display_name);
  if (st.isOk() && revision_ >= revision::kVersionPatch) st = in_.readVarUInt(&server_.version_patch);
  if (!st.isOk()) return fail(st);
  return Status::ok();
}

Status NativeConnection::readException() {
  // Whether the server read the rest of our packets (the external tables
  // block, insert data) before it failed depends on where it failed and on
  // its version (18.16 leaves the external tables block of a query it could
  // not parse unread, and takes it for the next query's packet); a new
  // session is the only state both sides agree on.
  broken_ = true;
  // Nested exceptions follow their parent; the outermost one explains.
  std::string text;
  for (int depth = 0; depth < 16; ++depth) {
    int32_t code = 0;
    std::string name, message, stack;
    uint8_t has_nested = 0;
    Status st = in_.readFixed(&code);
    if (st.isOk()) st = in_.readString(&name);
    if (st.isOk()) st = in_.readString(&message);
    if (st.isOk()) st = in_.readString(&stack);
    if (st.isOk()) st = in_.readFixed(&has_nested);
    if (!st.isOk()) return fail(st);
    if (depth == 0) {
      last_exception_code_ = code;
      // Newer servers put "DB::Exception: " in the message, older ones not.
      std::string body = message.rfind(name, 0) == 0 ? message : name + ": " + message;
      text = "Code: " + std::to_string(code) + ". " + body;
    } else {
      text += " (caused by Code: " + std::to_string(code) + ". " + message + ")";
    }
    if (!has_nested) break;
  }
  return Status::invalid(text);
}

Status NativeConnection::readDataBlock(bool compressed, OwnedBlock* block) {
  std::string table;
  Status st = in_.readString(&table);
  if (!st.isOk()) return st;
  OwnedBlock local;
  OwnedBlock* target = block ? block : &local;
  if (!compressed) {
    st = readBlock(in_, revision_ > 0, &target->block);
    if (!st.isOk()) return st;
    target->bytes = std::make_unique<std::string>(target->block.bytes);
  } else {
    FrameSource frames(&in_);
    Input decompressed(&frames);
    st = readBlock(decompressed, revision_ > 0, &target->block);
    if (!st.isOk()) return st;
    if (decompressed.buffered() != 0) return Status::invalid("bytes after a block inside its compressed frames");
    target->bytes = std::make_unique<std::string>(target->block.bytes);
  }
  // Re-point the views at the owned copy.
  Input again(*target->bytes);
  return readBlock(again, revision_ > 0, &target->block);
}

Status NativeConnection::readPacket(ServerPacket* type, OwnedBlock* block) {
  uint64_t t = 0;
  Status st = in_.readVarUInt(&t);
  if (!st.isOk()) return fail(st);
  *type = static_cast<ServerPacket>(t);
  switch (*type) {
    case ServerPacket::kData:
      st = readDataBlock(options_.compress, block);
      break;
    case ServerPacket::kTotals:
    case ServerPacket::kExtremes:
      st = readDataBlock(options_.compress, nullptr);
      break;
    case ServerPacket::kLog:
    case ServerPacket::kProfileEvents:
      st = readDataBlock(false, nullptr);  // never compressed
      break;
    case ServerPacket::kException:
      return readException();
    case ServerPacket::kProgress: {
      uint64_t v = 0;
      int fields = 2;
      if (revision_ >= revision::kTotalRowsInProgress) fields += 1;
      if (revision_ >= revision::kClientWriteInfo) fields += 2;
      for (int i = 0; i < fields && st.isOk(); ++i) st = in_.readVarUInt(&v);
      break;
    }
    case ServerPacket::kProfileInfo: {
      uint64_t v = 0;
      uint8_t b = 0;
      for (int i = 0; i < 3 && st.isOk(); ++i) st = in_.readVarUInt(&v);
      if (st.isOk()) st = in_.readFixed(&b);
      if (st.isOk()) st = in_.readVarUInt(&v);
      if (st.isOk()) st = in_.readFixed(&b);
      break;
    }
    case ServerPacket::kTableColumns: {
      std::string_view s;
      st = in_.readString(&s);
      if (st.isOk()) st = in_.readString(&s);
      break;
    }
    case ServerPacket::kPong:
    case ServerPacket::kEndOfStream:
      break;
    default:
      return fail(Status::invalid("unexpected packet " + std::to_string(t) + " from the server"));
  }
  if (!st.isOk()) return fail(st);
  return Status::ok();
}

Status NativeConnection::ping() {
  std::string out;
  putVarUInt(out, static_cast<uint64_t>(ClientPacket::kPing));
  Status st = send(out);
  if (!st.isOk()) return st;
  for (;;) {
    ServerPacket type;
    st = readPacket(&type, nullptr);
    if (!st.isOk()) return st;
    if (type == ServerPacket::kPong) return Status::ok();
    if (type != ServerPacket::kProgress) {
      return fail(Status::invalid("unexpected packet " + std::to_string(static_cast<int>(type)) + " before Pong"));
    }
  }
}

Status NativeConnection::sendQuery(std::string_view sql, const QuerySettings& settings) {
  std::string out;
  putVarUInt(out, static_cast<uint64_t>(ClientPacket::kQuery));
  putString(out, "");  // query_id: the server makes one
  if (revision_ >= revision::kClientInfo) {
    out.push_back(static_cast<char>(kQueryKindInitial));
    putString(out, "");           // initial_user
    putString(out, "");           // initial_query_id
    putString(out, "0.0.0.0:0");  // initial_address
    out.push_back(static_cast<char>(kInterfaceTcp));
    char host[256] = {0};
    ::gethostname(host, sizeof(host) - 1);
    putString(out, "");  // os_user
    putString(out, host);
    putString(out, options_.client_name);
    putVarUInt(out, kClientVersionMajor);
    putVarUInt(out, kClientVersionMinor);
    putVarUInt(out, kClientRevision);
    if (revision_ >= revision::kQuotaKeyInClientInfo) putString(out, "");
    if (revision_ >= revision::kVersionPatch) putVarUInt(out, kClientVersionPatch);
  }
  if (revision_ >= revision::kSettingsAsStrings) {
    for (const auto& [name, value] : settings) {
      putString(out, name);
      putVarUInt(out, 1);  // important: fail rather than ignore an unknown setting
      putString(out, value);
    }
  } else if (!settings.empty()) {
    // The old format writes each value in its own binary type; no setting
    // this client sends exists on servers that old.
    return Status::unsupported("query settings need server revision " +
                               std::to_string(revision::kSettingsAsStrings) + ", the server has " +
                               std::to_string(server_.revision));
  }
  putString(out, "");  // end of settings
  putVarUInt(out, kStageComplete);
  putVarUInt(out, options_.compress ? 1 : 0);
  putString(out, sql);
  Status st = send(out);
  if (!st.isOk()) return st;
  // The (empty) list of external tables.
  std::string empty;
  if (revision_ > 0) putBlockInfo(empty);
  putBlock(empty, 0, {});
  return sendData(empty);
}

Status NativeConnection::sendData(std::string_view block_body) {
  std::string out;
  putVarUInt(out, static_cast<uint64_t>(ClientPacket::kData));
  if (revision_ >= revision::kTemporaryTables) putString(out, "");
  if (options_.compress) {
    Status st = compressFrames(options_.method, block_body, &out);
    if (!st.isOk()) return st;
  } else {
    out.append(block_body.data(), block_body.size());
  }
  return send(out);
}

Status NativeConnection::query(std::string_view sql, const QuerySettings& settings,
                               std::vector<OwnedBlock>* blocks) {
  if (broken_) return Status::unavailable("connection is broken");
  Status st = sendQuery(sql, settings);
  if (!st.isOk()) return st;
  for (;;) {
    ServerPacket type;
    OwnedBlock block;
    st = readPacket(&type, &block);
    if (!st.isOk()) return st;
    if (type == ServerPacket::kEndOfStream) return Status::ok();
    if (type == ServerPacket::kData && blocks != nullptr && block.block.columns.size() > 0) {
      blocks->push_back(std::move(block));
    }
  }
}

Status NativeConnection::beginInsert(std::string_view sql, const QuerySettings& settings,
                                     OwnedBlock* header) {
  if (broken_) return Status::unavailable("connection is broken");
  Status st = sendQuery(sql, settings);
  if (!st.isOk()) return st;
  inserting_ = true;
  for (;;) {
    ServerPacket type;
    st = readPacket(&type, header);
    if (!st.isOk()) {
      inserting_ = false;
      return st;  // an exception here (unknown table...) ends the query cleanly
    }
    if (type == ServerPacket::kData) return Status::ok();
    if (type == ServerPacket::kEndOfStream) {
      inserting_ = false;
      return fail(Status::invalid("server ended the INSERT before sending its header"));
    }
  }
}

Status NativeConnection::sendBlock(uint64_t rows, const std::vector<NativeColumn>& columns) {
  std::string body;
  if (revision_ > 0) putBlockInfo(body);
  putBlock(body, rows, columns);
  return sendData(body);
}

Status NativeConnection::endInsert() {
  std::string empty;
  if (revision_ > 0) putBlockInfo(empty);
  putBlock(empty, 0, {});
  Status st = sendData(empty);
  inserting_ = false;
  if (!st.isOk()) return st;
  for (;;) {
    ServerPacket type;
    st = readPacket(&type, nullptr);
    if (!st.isOk()) return st;
    if (type == ServerPacket::kEndOfStream) return Status::ok();
  }
}

}  // namespace otelhouse::clickhouse
