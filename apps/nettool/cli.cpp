#include "cli.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"

#include <algorithm>
#include <cstddef>
#include <sstream>

namespace nettool::app {
namespace {

// Optimal string alignment distance: edits, with a swap of two neighbours counted as one ("pign" -> "ping").
std::size_t typo_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[n][m];
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) {
        if (!sub->get_name().empty()) names.push_back(sub->get_name());
    }
    return names;
}

// The first word that is not an option: where the subcommand belongs. Top-level options take no values.
std::optional<std::string> first_word(const std::vector<std::string>& args) {
    for (const auto& arg : args) {
        if (arg == "--") return std::nullopt;
        if (!arg.empty() && arg[0] != '-') return arg;
    }
    return std::nullopt;
}

// The closest subcommand name, when it is close enough to be what was meant.
std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& names) {
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    for (const auto& name : names) {
        std::size_t distance = typo_distance(word, name);
        if (word.size() >= 3 && name.rfind(word, 0) == 0) distance = 1;  // a prefix: "dns" -> "dnscheck"
        if (!best || distance < best_distance) {
            best = name;
            best_distance = distance;
        }
    }
    const std::size_t allowed = word.size() <= 3 ? 1 : 2;
    if (best && best_distance <= allowed) return best;
    return std::nullopt;
}

nlohmann::json option_spec(CLI::Option& option) {
    nlohmann::json spec;
    spec["positional"] = option.get_positional();
    spec["name"] = option.get_name(false, true);
    spec["long"] = option.get_lnames();
    spec["short"] = option.get_snames();
    spec["takes_value"] = option.get_expected_max() > 0;
    spec["repeatable"] = option.get_expected_max() > 1;
    spec["required"] = option.get_required();
    spec["help"] = option.get_description();
    spec["default"] = option.get_default_str();
    // get_type_name() is the value's name followed by ":<description>" per validator; split them apart so the
    // choices of an IsMember check ("{a,b,c}") can be completed and the plain name shown.
    std::string type_name = option.get_type_name();
    nlohmann::json choices = nlohmann::json::array();
    for (int index = 0;; ++index) {
        const CLI::Validator* validator = nullptr;
        try {
            validator = option.get_validator(index);
        } catch (const CLI::OptionNotFound&) {
            break;
        }
        const std::string description = validator->get_description();
        if (description.empty()) continue;
        const std::string suffix = ":" + description;
        if (type_name.size() >= suffix.size() &&
            type_name.compare(type_name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            type_name.erase(type_name.size() - suffix.size());
        }
        if (description.size() >= 2 && description.front() == '{' && description.back() == '}') {
            std::string list = description.substr(1, description.size() - 2);
            std::size_t start = 0;
            while (start <= list.size()) {
                std::size_t comma = list.find(',', start);
                if (comma == std::string::npos) comma = list.size();
                if (comma > start) choices.push_back(list.substr(start, comma - start));
                start = comma + 1;
            }
        }
    }
    spec["type_name"] = type_name;
    spec["choices"] = choices;
    nlohmann::json excludes = nlohmann::json::array();
    for (const CLI::Option* other : option.get_excludes()) excludes.push_back(other->get_name(false, true));
    spec["excludes"] = excludes;
    return spec;
}

nlohmann::json options_spec(CLI::App& app) {
    nlohmann::json options = nlohmann::json::array();
    // Options in an empty group are hidden from --help; they stay out of man pages and completions too.
    for (CLI::Option* option : app.get_options([](CLI::Option* o) { return !o->get_group().empty(); })) {
        options.push_back(option_spec(*option));
    }
    return options;
}

}  // namespace

std::string summary_line(std::string_view description) {
    std::string_view line = description.substr(0, description.find('\n'));
    if (auto stop = line.find(". "); stop != std::string_view::npos) line = line.substr(0, stop);
    if (!line.empty() && line.back() == '.') line.remove_suffix(1);
    return std::string(line);
}

std::string SummaryFormatter::summary_of(const CLI::App& sub) const {
    auto it = summaries_.find(sub.get_name());
    return summary_line(it != summaries_.end() ? it->second : sub.get_description());
}

std::string SummaryFormatter::make_subcommand(const CLI::App* sub) const {
    std::stringstream out;
    CLI::detail::format_help(out, sub->get_display_name(true), summary_of(*sub), get_column_width());
    return out.str();
}

std::optional<std::string> unknown_subcommand_message(const CLI::App& app, const std::vector<std::string>& args) {
    auto word = first_word(args);
    if (!word) return std::nullopt;
    const auto names = subcommand_names(app);
    if (std::find(names.begin(), names.end(), *word) != names.end()) return std::nullopt;
    std::string message = "unknown subcommand '" + *word + "'";
    if (auto suggestion = closest(*word, names)) return message + "; did you mean '" + *suggestion + "'?";
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
    return message + "; the subcommands are: " + list;
}

bool json_requested(const std::vector<std::string>& args) {
    for (const auto& arg : args) {
        if (arg == "--") return false;
        if (arg == "--json") return true;
    }
    return false;
}

std::string command_in(const CLI::App& app, const std::vector<std::string>& args) {
    auto word = first_word(args);
    const auto names = subcommand_names(app);
    if (word && std::find(names.begin(), names.end(), *word) != names.end()) return *word;
    return {};
}

nlohmann::json error_document(const Error& error, const std::string& command) {
    nlohmann::json document = {{"schema_version", json_schema_version}};
    document["command"] = command.empty() ? nlohmann::json(nullptr) : nlohmann::json(command);
    document["error"] = {{"kind", to_string(error.kind)},
                         {"message", error.describe()},
                         {"exit_status", to_int(exit_status_for(error))}};
    return document;
}

nlohmann::json cli_spec(CLI::App& app, const SummaryFormatter& formatter) {
    nlohmann::json spec;
    spec["name"] = app.get_name();
    spec["description"] = app.get_description();
    spec["footer"] = app.get_footer();
    spec["options"] = options_spec(app);
    spec["subcommands"] = nlohmann::json::array();
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        if (sub->get_name().empty()) continue;
        spec["subcommands"].push_back({{"name", sub->get_name()},
                                       {"summary", formatter.summary_of(*sub)},
                                       {"description", sub->get_description()},
                                       {"footer", sub->get_footer()},
                                       {"options", options_spec(*sub)}});
    }
    return spec;
}

}  // namespace nettool::app
