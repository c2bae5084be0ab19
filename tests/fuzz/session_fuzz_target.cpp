#include "session_fuzz_target.h"

#include <QByteArray>

#include "app/sessions/session_file.h"
#include "app/sessions/session_runs.h"

namespace {

// Building a run allocates its network and data. The limits below keep each input fast (a
// valid network of a 700 MB state is not a bug, just slow); parsing and the checks before
// building are always exercised.
bool smallEnough(const gradscope::app::Session& session) {
  for (const auto& run : session.runs) {
    const auto& c = run.config;
    if (c.data.samples > 4000 || c.model.width > 64 || c.model.hiddenLayers > 8) return false;
    if (c.data.kind == gradscope::core::DatasetKind::Teacher &&
        (c.data.features > 64 || c.data.teacherWidth > 64)) {
      return false;
    }
    if (run.data.data && run.data.data->inputs.size() > 100'000) return false;
  }
  return true;
}

}  // namespace

int fuzzSessionLoader(const std::uint8_t* data, std::size_t size) {
  const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
  try {
    const gradscope::app::Session session = gradscope::app::parseSession(bytes);
    // Every shape goes through the checks made before a network is built (the lengths against
    // the declared network, the states against the session's budget): they allocate nothing
    // of the network's size, so 250 layers of 4096 units cost no more than 2 of 8.
    gradscope::app::checkSession(session, QString());
    if (smallEnough(session)) gradscope::app::buildRuns(session, QString());
  } catch (const gradscope::core::Error&) {
    // A refusal with a field and a reason: the expected outcome for most inputs.
  }
  return 0;
}
