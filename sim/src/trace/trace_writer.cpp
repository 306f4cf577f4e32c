#include "trace/trace_writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <iterator>

namespace hilcap::sim {
namespace {

constexpr std::size_t kFlushBytes = 64 * 1024;

}  // namespace

std::unique_ptr<TraceWriter> TraceWriter::open(const std::filesystem::path& path,
                                               std::string& error, std::string_view clock) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    error = fmt::format("{}: cannot write the trace: {}", path.string(), std::strerror(errno));
    return nullptr;
  }
  return std::unique_ptr<TraceWriter>(new TraceWriter(file, path, clock));
}

TraceWriter::TraceWriter(std::FILE* file, std::filesystem::path path, std::string_view clock)
    : file_(file), path_(std::move(path)) {
  buffer_.reserve(kFlushBytes + 4096);
  append(R"({"displayTimeUnit":"ns","otherData":{"generator":"hilcap","clock":)");
  append_string(clock);
  append("},\n\"traceEvents\":[");
}

TraceWriter::~TraceWriter() {
  finish();
}

TraceTrack TraceWriter::track(std::string_view process, std::string_view thread) {
  std::uint32_t pid = 0;
  while (pid < processes_.size() && processes_[pid].name != process)
    ++pid;
  if (pid == processes_.size()) {
    processes_.push_back({std::string(process), {}});
    if (!closed_) {
      start_record();
      fmt::format_to(std::back_inserter(buffer_),
                     R"({{"ph":"M","pid":{},"name":"process_name","args":{{"name":)", pid + 1);
      append_string(process);
      append("}}");
      start_record();
      fmt::format_to(
          std::back_inserter(buffer_),
          R"({{"ph":"M","pid":{0},"name":"process_sort_index","args":{{"sort_index":{0}}}}})",
          pid + 1);
    }
  }
  Process& p = processes_[pid];
  for (const Thread& t : p.threads) {
    if (t.name == thread) return {pid + 1, t.tid};
  }
  const std::uint32_t tid = next_tid_++;
  p.threads.push_back({std::string(thread), tid});
  if (!closed_) {
    start_record();
    fmt::format_to(std::back_inserter(buffer_),
                   R"({{"ph":"M","pid":{},"tid":{},"name":"thread_name","args":{{"name":)", pid + 1,
                   tid);
    append_string(thread);
    append("}}");
    start_record();
    fmt::format_to(
        std::back_inserter(buffer_),
        R"({{"ph":"M","pid":{0},"tid":{1},"name":"thread_sort_index","args":{{"sort_index":{1}}}}})",
        pid + 1, tid);
  }
  return {pid + 1, tid};
}

void TraceWriter::instant(TraceTrack track, std::string_view name, TimeNs at, TraceArgs args) {
  if (closed_) return;
  begin_event('i', track, name, at);
  append(R"(,"s":"t")");
  end_event(args);
}

void TraceWriter::complete(TraceTrack track, std::string_view name, TimeNs start, TimeNs duration,
                           TraceArgs args) {
  if (closed_) return;
  begin_event('X', track, name, start);
  append(R"(,"dur":)");
  append_time(duration);
  end_event(args);
}

void TraceWriter::counter(TraceTrack track, std::string_view name, TimeNs at, TraceArgs series) {
  if (closed_) return;
  begin_event('C', track, name, at);
  end_event(series);
}

void TraceWriter::async_begin(TraceTrack track, std::string_view name, std::uint64_t id, TimeNs at,
                              TraceArgs args) {
  if (closed_) return;
  begin_event('b', track, name, at);
  fmt::format_to(std::back_inserter(buffer_), R"(,"cat":"async","id":"0x{:x}")", id);
  end_event(args);
}

void TraceWriter::async_end(TraceTrack track, std::string_view name, std::uint64_t id, TimeNs at,
                            TraceArgs args) {
  if (closed_) return;
  begin_event('e', track, name, at);
  fmt::format_to(std::back_inserter(buffer_), R"(,"cat":"async","id":"0x{:x}")", id);
  end_event(args);
}

bool TraceWriter::close(std::string& error) {
  finish();
  if (write_errno_ != 0) {
    error = fmt::format("{}: writing the trace failed: {}", path_.string(),
                        std::strerror(write_errno_));
    return false;
  }
  return true;
}

void TraceWriter::begin_event(char phase, TraceTrack track, std::string_view name, TimeNs at) {
  start_record();
  fmt::format_to(std::back_inserter(buffer_), R"({{"ph":"{}","pid":{},"tid":{},"ts":)", phase,
                 track.pid, track.tid);
  append_time(at);
  append(R"(,"name":)");
  append_string(name);
}

void TraceWriter::end_event(TraceArgs args) {
  if (args.size() != 0) append_args(args);
  append("}");
  if (buffer_.size() >= kFlushBytes) flush_buffer();
}

void TraceWriter::append_args(TraceArgs args) {
  append(R"(,"args":{)");
  bool first = true;
  for (const TraceArg& arg : args) {
    if (!first) append(",");
    first = false;
    append_string(arg.key_);
    append(":");
    switch (arg.kind_) {
      case TraceArg::Kind::kBool:
        append(arg.integer_ ? "true" : "false");
        break;
      case TraceArg::Kind::kSigned:
        fmt::format_to(std::back_inserter(buffer_), "{}", arg.integer_);
        break;
      case TraceArg::Kind::kUnsigned:
        fmt::format_to(std::back_inserter(buffer_), "{}", arg.unsigned_);
        break;
      case TraceArg::Kind::kReal:
        if (std::isfinite(arg.real_)) {
          fmt::format_to(std::back_inserter(buffer_), "{}", arg.real_);
        } else {
          append("null");
        }
        break;
      case TraceArg::Kind::kText:
        append_string(arg.text_);
        break;
    }
  }
  append("}");
}

void TraceWriter::append_string(std::string_view text) {
  buffer_ += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        buffer_ += "\\\"";
        break;
      case '\\':
        buffer_ += "\\\\";
        break;
      case '\n':
        buffer_ += "\\n";
        break;
      case '\t':
        buffer_ += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(buffer_), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          buffer_ += c;
        }
    }
  }
  buffer_ += '"';
}

// Microseconds with exactly three decimals, from integer ns: no rounding.
void TraceWriter::append_time(TimeNs ns) {
  const char* sign = ns < 0 ? "-" : "";
  const std::uint64_t magnitude =
      ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  fmt::format_to(std::back_inserter(buffer_), "{}{}.{:03}", sign, magnitude / 1000,
                 magnitude % 1000);
}

void TraceWriter::append(std::string_view text) {
  buffer_.append(text);
}

void TraceWriter::start_record() {
  if (!first_record_) append(",");
  append("\n");
  first_record_ = false;
}

void TraceWriter::flush_buffer() {
  if (!buffer_.empty() && write_errno_ == 0 &&
      std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    write_errno_ = errno != 0 ? errno : EIO;
  }
  buffer_.clear();
}

void TraceWriter::finish() {
  if (closed_) return;
  append("\n]}\n");
  flush_buffer();
  if (std::fclose(file_) != 0 && write_errno_ == 0) write_errno_ = errno != 0 ? errno : EIO;
  file_ = nullptr;
  closed_ = true;
}

}  // namespace hilcap::sim
