# fish completion for chaos. Install it with:
#   chaos completion fish > ~/.config/fish/completions/chaos.fish
function __chaos_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l out ($words[1] __complete --shell fish -- $words 2>/dev/null)
    switch "$out[1]"
        case :files
            __fish_complete_path (commandline -ct)
        case :dirs
            __fish_complete_directories (commandline -ct)
        case '*'
            printf '%s\n' $out
    end
end
complete -c chaos -f -a '(__chaos_complete)'
