rule train_udpipe:
    input:
        config["udpipe"]["train_conllu"] or [],
    output:
        f"{RESULTS}/udpipe/trained.udpipe",
    log:
        f"{RESULTS}/logs/train_udpipe/train_udpipe.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_udpipe/train_udpipe.tsv"
    conda:
        "../../envs/tokenize.yaml"
    params:
        tokenizer=config["udpipe"]["tokenizer_options"],
        tagger=config["udpipe"]["tagger_options"],
    script:
        "../../scripts/train_udpipe.py"
