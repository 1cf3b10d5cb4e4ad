// The otelhouse commands. Each takes the arguments after its name and
// returns the process exit code; main() only dispatches.
#pragma once

#include <string>
#include <vector>

namespace otelhouse {

int runCommand(std::vector<std::string> args, const std::string& exe_dir);
int queryCommand(std::vector<std::string> args, const std::string& exe_dir);

}  // namespace otelhouse
