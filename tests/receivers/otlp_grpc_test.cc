#include "receivers/otlp_grpc.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "receivers/otlp_grpc_status.h"
#include "receivers/otlp_response.h"

namespace otelhouse {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct IngestCall {
  Signal signal;
  PayloadFormat format;
  std::string body;
};

// Records every call and answers with the preset result. With hold(), calls
// wait inside ingest() until release(), so a test can keep them in flight.
class FakeIngest : public ImmediateIngest {
 public:
  IngestResult ingestNow(const IngestRequest& request) override {
    const Signal signal = request.signal;
    const PayloadFormat format = request.format;
    const std::string_view body = request.body;
    std::unique_lock<std::mutex> lock(mu_);
    calls_.push_back({signal, format, std::string(body)});
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !held_; });
    return next_;
  }
  void setNext(IngestResult r) {
    std::lock_guard<std::mutex> lock(mu_);
    next_ = std::move(r);
  }
  std::vector<IngestCall> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  void hold() {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = true;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = false;
    cv_.notify_all();
  }
  bool waitEntered(size_t n, milliseconds timeout = milliseconds(10000)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return entered_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<IngestCall> calls_;
  IngestResult next_;
  size_t entered_ = 0;
  bool held_ = false;
};

struct CallResult {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;
  std::string details;
  std::string body;
};

std::string flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

class TestClient {
 public:
  explicit TestClient(uint16_t port)
      : channel_(grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                           grpc::InsecureChannelCredentials(), channelArgs())),
        stub_(channel_) {}

  // A call's ClientContext holds a channel reference and is released on
  // gRPC's callback thread. Were that the channel's last reference, gRPC 1.51
  // would tear its shared callback queue down from one of that queue's own
  // threads (a double free under ASan). So the channel goes only once every
  // call state is gone.
  ~TestClient() {
    while (live_->load() != 0) std::this_thread::sleep_for(milliseconds(1));
  }

  // Starts a unary call; the future holds its outcome.
  std::future<CallResult> start(const std::string& method, const std::string& bytes,
                                grpc_compression_algorithm compression = GRPC_COMPRESS_NONE,
                                const std::string& authorization = "") {
    auto state = std::make_shared<State>(live_);
    state->ctx.set_deadline(std::chrono::system_clock::now() + seconds(20));
    state->ctx.set_compression_algorithm(compression);
    if (!authorization.empty()) state->ctx.AddMetadata("authorization", authorization);
    grpc::Slice slice(bytes);
    state->request = grpc::ByteBuffer(&slice, 1);
    auto future = state->done.get_future();
    stub_.UnaryCall(&state->ctx, method, grpc::StubOptions(), &state->request, &state->response,
                    [state](grpc::Status status) {
                      CallResult r;
                      r.code = status.error_code();
                      r.message = status.error_message();
                      r.details = status.error_details();
                      if (status.ok()) r.body = flatten(state->response);
                      state->done.set_value(std::move(r));
                    });
    return future;
  }

  CallResult call(const std::string& method, const std::string& bytes,
                  grpc_compression_algorithm compression = GRPC_COMPRESS_NONE,
                  const std::string& authorization = "") {
    return start(method, bytes, compression, authorization).get();
  }

  grpc::GenericStub& stub() { return stub_; }

 private:
  // Counts the live call states; declared first in State, so it is released
  // after the ClientContext.
  struct LiveToken {
    explicit LiveToken(std::shared_ptr<std::atomic<int>> n) : live(std::move(n)) { ++*live; }
    ~LiveToken() { --*live; }
    std::shared_ptr<std::atomic<int>> live;
  };
  struct State {
    explicit State(std::shared_ptr<std::atomic<int>> live) : token(std::move(live)) {}
    LiveToken token;
    grpc::ClientContext ctx;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    std::promise<CallResult> done;
  };

  static grpc::ChannelArguments channelArgs() {
    grpc::ChannelArguments args;
    // A channel of its own per client, so "several connections" are real.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxSendMessageSize(-1);
    return args;
  }

  std::shared_ptr<std::atomic<int>> live_ = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
};

const std::string kLogs(kLogsExportMethod);
const std::string kTraces(kTracesExportMethod);
const std::string kMetrics(kMetricsExportMethod);
constexpr size_t kLimit = 64 * 1024;

class OtlpGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.host = "127.0.0.1";
    config_.port = 0;
    config_.threads = 2;
    config_.max_recv_msg_bytes = kLimit;
    config_.retry_after_seconds = 7;
    config_.shutdown_timeout = milliseconds(2000);
  }
  void TearDown() override {
    ingest_.release();
    client_.reset();
    if (receiver_) receiver_->stop();
  }
  void start() {
    receiver_ = std::make_unique<OtlpGrpcReceiver>(config_, ingest_);
    if (auth_) receiver_->setAuthHook(auth_);
    ASSERT_TRUE(receiver_->start().isOk());
    ASSERT_NE(receiver_->port(), 0);
    client_ = std::make_unique<TestClient>(receiver_->port());
  }
  CallResult call(const std::string& method, const std::string& bytes,
                  grpc_compression_algorithm compression = GRPC_COMPRESS_NONE) {
    return client_->call(method, bytes, compression);
  }

  OtlpGrpcConfig config_;
  OtlpGrpcAuthHook auth_;
  FakeIngest ingest_;
  std::unique_ptr<OtlpGrpcReceiver> receiver_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(OtlpGrpcTest, LogsExportIsIngestedAndAnsweredWithAnEmptyResponse) {
  start();
  IngestResult ok;
  ok.accepted = 1;
  ingest_.setNext(ok);
  CallResult r = call(kLogs, std::string("\x0a\x00", 2));
  EXPECT_EQ(r.code, grpc::StatusCode::OK) << r.message;
  EXPECT_EQ(r.body, "");
  auto calls = ingest_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].signal, Signal::kLogs);
  EXPECT_EQ(calls[0].format, PayloadFormat::kProtobuf);
  EXPECT_EQ(calls[0].body, std::string("\x0a\x00", 2));
  EXPECT_EQ(receiver_->stats().requests.load(), 1u);
  EXPECT_EQ(receiver_->stats().accepted_records.load(), 1u);
  EXPECT_EQ(receiver_->stats().refused_requests.load(), 0u);
}

TEST_F(OtlpGrpcTest, TracesAndMetricsRouteToTheirSignal) {
  start();
  EXPECT_EQ(call(kTraces, "t").code, grpc::StatusCode::OK);
  EXPECT_EQ(call(kMetrics, "").code, grpc::StatusCode::OK);
  auto calls = ingest_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].signal, Signal::kTraces);
  EXPECT_EQ(calls[0].body, "t");
  EXPECT_EQ(calls[1].signal, Signal::kMetrics);
  EXPECT_EQ(calls[1].body, "");  // an empty message is a valid empty request
}

TEST_F(OtlpGrpcTest, PartialSuccessResponse) {
  start();
  IngestResult partial;
  partial.accepted = 3;
  partial.rejected = 2;
  partial.rejected_message = "2 log records had an invalid trace id";
  ingest_.setNext(partial);
  CallResult r = call(kLogs, "x");
  EXPECT_EQ(r.code, grpc::StatusCode::OK);
  EXPECT_EQ(r.body, encodeExportResponseProto(Signal::kLogs, 2, partial.rejected_message));
  EXPECT_EQ(r.body.substr(0, 4), std::string("\x0a\x29\x08\x02", 4));
  EXPECT_EQ(receiver_->stats().accepted_records.load(), 3u);
  EXPECT_EQ(receiver_->stats().rejected_records.load(), 2u);
}

TEST_F(OtlpGrpcTest, EveryIngestFailureMapsToItsStatusCode) {
  start();
  struct Case {
    Status status;
    grpc::StatusCode code;
    bool retry_info;
  } cases[] = {
      {Status::invalid("proto: illegal wireType 7"), grpc::StatusCode::INVALID_ARGUMENT, false},
      {Status::tooLarge("too many records"), grpc::StatusCode::RESOURCE_EXHAUSTED, false},
      {Status::exhausted("queue full"), grpc::StatusCode::RESOURCE_EXHAUSTED, true},
      {Status::unavailable("sink down"), grpc::StatusCode::UNAVAILABLE, true},
      {Status::notFound("no traces pipeline yet"), grpc::StatusCode::UNIMPLEMENTED, false},
      {Status::unsupported("not supported"), grpc::StatusCode::UNIMPLEMENTED, false},
      {Status::internal("wal write failed"), grpc::StatusCode::INTERNAL, false},
  };
  for (const auto& c : cases) {
    IngestResult res;
    res.status = c.status;
    ingest_.setNext(res);
    CallResult r = call(kLogs, "x");
    EXPECT_EQ(r.code, c.code) << c.status.toString();
    EXPECT_EQ(r.message, c.status.message());
    if (c.retry_info) {
      EXPECT_EQ(r.details, encodeStatusWithRetryInfo(static_cast<GrpcCode>(c.code),
                                                     c.status.message(), 7));
    } else {
      EXPECT_EQ(r.details, "") << c.status.toString();
    }
  }
  // UNAVAILABLE carries google.rpc.Status{14, "sink down", [Any{RetryInfo{7s}}]}.
  IngestResult down;
  down.status = Status::unavailable("sink down");
  ingest_.setNext(down);
  CallResult r = call(kLogs, "x");
  EXPECT_EQ(r.details,
            std::string("\x08\x0e\x12\x09") + "sink down" + std::string("\x1a\x30\x0a\x28") +
                "type.googleapis.com/google.rpc.RetryInfo" +
                std::string("\x12\x04\x0a\x02\x08\x07", 6));
  EXPECT_EQ(receiver_->stats().refused_requests.load(), 8u);
  EXPECT_EQ(ingest_.calls().size(), 8u);
}

TEST_F(OtlpGrpcTest, MalformedBytesArePassedThroughAndTheIngestDecides) {
  start();
  IngestResult bad;
  bad.status = Status::invalid("proto: illegal wireType 7");
  ingest_.setNext(bad);
  std::string garbage("\xff\xff\x07\x00garbage", 11);
  CallResult r = call(kLogs, garbage);
  EXPECT_EQ(r.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(r.message, "proto: illegal wireType 7");
  ASSERT_EQ(ingest_.calls().size(), 1u);
  EXPECT_EQ(ingest_.calls()[0].body, garbage);
}

TEST_F(OtlpGrpcTest, GzipAndDeflateRequestsAreInflated) {
  start();
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "log line " + std::to_string(i) + "\n";
  ASSERT_LT(body.size(), kLimit);
  EXPECT_EQ(call(kLogs, body, GRPC_COMPRESS_GZIP).code, grpc::StatusCode::OK);
  EXPECT_EQ(call(kLogs, body, GRPC_COMPRESS_DEFLATE).code, grpc::StatusCode::OK);
  auto calls = ingest_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].body, body);
  EXPECT_EQ(calls[1].body, body);
}

TEST_F(OtlpGrpcTest, OverLimitMessagesAreRefusedBeforeIngest) {
  start();
  // Exactly the limit passes.
  EXPECT_EQ(call(kLogs, std::string(kLimit, 'a')).code, grpc::StatusCode::OK);
  // One byte over, on the wire: gRPC refuses it.
  CallResult r = call(kLogs, std::string(kLimit + 1, 'a'));
  EXPECT_EQ(r.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(r.message, "Received message larger than max (65537 vs. 65536)");
  // Small on the wire, over the limit once inflated: the bounded inflater
  // stops it (gRPC's own would have inflated all of it first).
  std::string zeros(16 * kLimit, '\0');
  r = call(kLogs, zeros, GRPC_COMPRESS_GZIP);
  EXPECT_EQ(r.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(r.message, "grpc: received message after decompression larger than max of 65536 bytes");
  r = call(kLogs, zeros, GRPC_COMPRESS_DEFLATE);
  EXPECT_EQ(r.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Exactly the limit once inflated passes.
  EXPECT_EQ(call(kLogs, std::string(kLimit, 'b'), GRPC_COMPRESS_GZIP).code,
            grpc::StatusCode::OK);
  auto calls = ingest_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].body, std::string(kLimit, 'a'));
  EXPECT_EQ(calls[1].body, std::string(kLimit, 'b'));
  EXPECT_EQ(receiver_->stats().refused_requests.load(), 3u);
  // And the server goes on serving.
  EXPECT_EQ(call(kLogs, "ok").code, grpc::StatusCode::OK);
}

TEST_F(OtlpGrpcTest, UnknownMethodsAreUnimplemented) {
  start();
  CallResult r = call("/foo.Bar/Baz", "x");
  EXPECT_EQ(r.code, grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(r.message, "unknown service foo.Bar");
  r = call("/opentelemetry.proto.collector.logs.v1.LogsService/Query", "x");
  EXPECT_EQ(r.code, grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(r.message,
            "unknown method Query for service opentelemetry.proto.collector.logs.v1.LogsService");
  // No reflection service either.
  r = call("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "");
  EXPECT_EQ(r.code, grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_TRUE(ingest_.calls().empty());
  EXPECT_EQ(receiver_->stats().refused_requests.load(), 3u);
}

TEST_F(OtlpGrpcTest, ServerKeepsServingAfterBadCalls) {
  start();
  IngestResult bad;
  bad.status = Status::invalid("nope");
  ingest_.setNext(bad);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(call(kLogs, "bad").code, grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(call("/x.Y/Z", "").code, grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(call(kLogs, std::string(kLimit * 2, 'z')).code,
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  // A client that hangs up mid-call.
  {
    grpc::ClientContext ctx;
    grpc::CompletionQueue cq;
    auto stream = client_->stub().PrepareCall(&ctx, kLogs, &cq);
    void* tag;
    bool ok;
    stream->StartCall(reinterpret_cast<void*>(1));
    ASSERT_TRUE(cq.Next(&tag, &ok));
    ctx.TryCancel();
    grpc::Status st;
    stream->Finish(&st, reinterpret_cast<void*>(2));
    ASSERT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(st.error_code(), grpc::StatusCode::CANCELLED);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
  }
  ingest_.setNext(IngestResult{});
  CallResult r = call(kLogs, "good");
  EXPECT_EQ(r.code, grpc::StatusCode::OK);
  EXPECT_EQ(ingest_.calls().back().body, "good");
}

TEST_F(OtlpGrpcTest, CallWithoutAMessageIsInvalid) {
  start();
  grpc::ClientContext ctx;
  grpc::CompletionQueue cq;
  auto stream = client_->stub().PrepareCall(&ctx, kLogs, &cq);
  void* tag;
  bool ok;
  stream->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  ASSERT_TRUE(ok);
  stream->WritesDone(reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  grpc::Status st;
  stream->Finish(&st, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "the call carried no request message");
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  EXPECT_TRUE(ingest_.calls().empty());
}

TEST_F(OtlpGrpcTest, ConcurrentStreamsFromManyThreadsAreAllCounted) {
  config_.threads = 3;
  start();
  constexpr int kThreads = 6;
  constexpr int kPerThread = 40;
  constexpr int kInFlight = 4;  // concurrent streams per thread's connection
  std::vector<std::thread> threads;
  std::atomic<int> ok_count{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      TestClient client(receiver_->port());
      for (int i = 0; i < kPerThread; i += kInFlight) {
        std::vector<std::future<CallResult>> calls;
        for (int j = 0; j < kInFlight; ++j) {
          std::string body = "t" + std::to_string(t) + "-" + std::to_string(i + j);
          const std::string& method = (i + j) % 3 == 0 ? kLogs : (i + j) % 3 == 1 ? kTraces
                                                                                   : kMetrics;
          calls.push_back(client.start(method, body, j % 2 ? GRPC_COMPRESS_GZIP
                                                           : GRPC_COMPRESS_NONE));
        }
        for (auto& f : calls)
          if (f.get().code == grpc::StatusCode::OK) ok_count.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok_count.load(), kThreads * kPerThread);
  auto calls = ingest_.calls();
  ASSERT_EQ(calls.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<std::string> bodies;
  for (const auto& c : calls) {
    bodies.insert(c.body);
    int n = std::stoi(c.body.substr(c.body.find('-') + 1));
    EXPECT_EQ(c.signal, n % 3 == 0 ? Signal::kLogs : n % 3 == 1 ? Signal::kTraces
                                                                 : Signal::kMetrics);
  }
  EXPECT_EQ(bodies.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(receiver_->stats().requests.load(), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(receiver_->stats().refused_requests.load(), 0u);
}

TEST_F(OtlpGrpcTest, OverloadIsUnavailableWithRetryInfo) {
  config_.threads = 1;
  config_.max_pending_calls = 1;
  start();
  ingest_.hold();
  auto first = client_->start(kLogs, "first");
  ASSERT_TRUE(ingest_.waitEntered(1));
  CallResult r = call(kLogs, "second");
  EXPECT_EQ(r.code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(r.details, encodeStatusWithRetryInfo(GrpcCode::kUnavailable, r.message, 7));
  ingest_.release();
  EXPECT_EQ(first.get().code, grpc::StatusCode::OK);
  ASSERT_EQ(ingest_.calls().size(), 1u);
}

TEST_F(OtlpGrpcTest, StopFinishesCallsInFlightAndQueued) {
  config_.threads = 1;
  start();
  ingest_.hold();
  std::vector<std::future<CallResult>> inflight;
  for (int i = 0; i < 4; ++i) inflight.push_back(client_->start(kLogs, "c" + std::to_string(i)));
  ASSERT_TRUE(ingest_.waitEntered(1));  // one running, three read and queued
  std::this_thread::sleep_for(milliseconds(200));

  uint16_t port = receiver_->port();
  auto stopped = std::async(std::launch::async, [&] { receiver_->stop(); });
  // stop() waits for the calls it has, and takes no new ones meanwhile.
  EXPECT_EQ(stopped.wait_for(milliseconds(300)), std::future_status::timeout);
  TestClient late(port);
  EXPECT_NE(late.call(kLogs, "late").code, grpc::StatusCode::OK);
  EXPECT_EQ(stopped.wait_for(milliseconds(0)), std::future_status::timeout);
  ingest_.release();
  ASSERT_EQ(stopped.wait_for(seconds(10)), std::future_status::ready);
  for (auto& f : inflight) EXPECT_EQ(f.get().code, grpc::StatusCode::OK);
  auto calls = ingest_.calls();
  ASSERT_EQ(calls.size(), 4u);
  std::set<std::string> bodies;
  for (const auto& c : calls) bodies.insert(c.body);
  EXPECT_EQ(bodies, (std::set<std::string>{"c0", "c1", "c2", "c3"}));
  EXPECT_EQ(receiver_->port(), 0);
}

TEST_F(OtlpGrpcTest, StopDoesNotHangOnAClientThatNeverSends) {
  config_.shutdown_timeout = milliseconds(300);
  start();
  grpc::ClientContext ctx;
  grpc::CompletionQueue cq;
  auto stream = client_->stub().PrepareCall(&ctx, kLogs, &cq);
  void* tag;
  bool ok;
  stream->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  std::this_thread::sleep_for(milliseconds(100));  // the server has the call

  auto t0 = std::chrono::steady_clock::now();
  receiver_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(5));

  grpc::Status st;
  stream->Finish(&st, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_NE(st.error_code(), grpc::StatusCode::OK);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  EXPECT_TRUE(ingest_.calls().empty());
}

TEST_F(OtlpGrpcTest, AuthHookSeesAuthorizationMetadata) {
  std::mutex mu;
  std::vector<std::string> seen_methods;
  auth_ = [&](const OtlpGrpcCallInfo& info) -> Status {
    std::lock_guard<std::mutex> lock(mu);
    seen_methods.emplace_back(info.method);
    EXPECT_NE(info.peer.find("127.0.0.1"), std::string_view::npos);
    if (info.authorization == "Bearer good") return Status::ok();
    return Status::invalid("bad token");
  };
  start();
  CallResult r = client_->call(kLogs, "x", GRPC_COMPRESS_NONE, "Bearer bad");
  EXPECT_EQ(r.code, grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(r.message, "bad token");
  r = client_->call(kLogs, "x");
  EXPECT_EQ(r.code, grpc::StatusCode::UNAUTHENTICATED);
  r = client_->call(kLogs, "x", GRPC_COMPRESS_NONE, "Bearer good");
  EXPECT_EQ(r.code, grpc::StatusCode::OK);
  // Unknown methods are refused before auth, as grpc-go does.
  r = client_->call("/x.Y/Z", "x", GRPC_COMPRESS_NONE, "Bearer bad");
  EXPECT_EQ(r.code, grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(ingest_.calls().size(), 1u);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen_methods, std::vector<std::string>(3, kLogs));
}

TEST_F(OtlpGrpcTest, PortInUseFailsToStart) {
  start();
  OtlpGrpcConfig second = config_;
  second.port = receiver_->port();
  OtlpGrpcReceiver other(second, ingest_);
  Status st = other.start();
  EXPECT_FALSE(st.isOk());
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(other.port(), 0);
  EXPECT_EQ(call(kLogs, "still mine").code, grpc::StatusCode::OK);
}

TEST_F(OtlpGrpcTest, RealOtlpLogsRequestArrivesByteForByte) {
  config_.max_recv_msg_bytes = 20 << 20;
  start();
  using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto* attr = rl->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("grpc-test");
  auto* sl = rl->add_scope_logs();
  for (int i = 0; i < 1000; ++i) {
    auto* rec = sl->add_log_records();
    rec->set_time_unix_nano(1700000000000000000ull + i);
    rec->set_severity_text("INFO");
    rec->mutable_body()->set_string_value("message number " + std::to_string(i));
  }
  std::string bytes = req.SerializeAsString();
  ASSERT_GT(bytes.size(), 30000u);
  EXPECT_EQ(call(kLogs, bytes, GRPC_COMPRESS_GZIP).code, grpc::StatusCode::OK);
  ASSERT_EQ(ingest_.calls().size(), 1u);
  ExportLogsServiceRequest back;
  ASSERT_TRUE(back.ParseFromString(ingest_.calls()[0].body));
  EXPECT_EQ(ingest_.calls()[0].body, bytes);
  EXPECT_EQ(back.resource_logs(0).scope_logs(0).log_records_size(), 1000);
}

}  // namespace
}  // namespace otelhouse
