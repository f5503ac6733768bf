# bash completion for chaos. Load it with: source <(chaos completion bash)
_chaos_complete() {
    local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[0]} out
    [[ $cmd == "~/"* ]] && cmd=$HOME/${cmd#"~/"}
    out=$("$cmd" __complete --shell bash -- "${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null) || return 0
    [[ $cur == "=" ]] && cur=""
    COMPREPLY=()
    case $out in
        :files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
        :dirs) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
        "") ;;
        *) mapfile -t COMPREPLY <<<"$out" ;;
    esac
}
complete -F _chaos_complete chaos
