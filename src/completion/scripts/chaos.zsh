#compdef chaos
# zsh completion for chaos. Load it with: source <(chaos completion zsh)  (after compinit),
# or save it as _chaos in a directory of $fpath.
_chaos() {
    local out line value desc
    local -a candidates
    out=$(${~words[1]} __complete --shell zsh -- "${(@)words[1,CURRENT]}" 2>/dev/null) || return 1
    case $out in
        :files) _files; return ;;
        :dirs) _files -/; return ;;
    esac
    for line in "${(@f)out}"; do
        [[ -z $line ]] && continue
        value=${line%%$'\t'*}
        desc=""
        [[ $line == *$'\t'* ]] && desc=${line#*$'\t'}
        candidates+=("${value//:/\\:}:$desc")
    done
    _describe -t chaos-values chaos candidates
}
if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
    _chaos "$@"
else
    compdef _chaos chaos
fi
