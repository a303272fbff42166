internal import ArgumentParser

/// `--config-file PATH`, on the commands that run a node or open the archive. The file is read
/// before parsing (``Wakusync/main()``); the option is declared so that help, completions and the
/// man page show it.
struct ConfigFileOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "TOML file of options: the long names without dashes, as nwaku's config files "
                + "(cluster-id = 1, shard = [0, 1], headless = true). Options on the command line replace the file's.",
            valueName: "PATH"
        ),
        completion: .file(extensions: ["toml"])
    )
    var configFile: String?
}
