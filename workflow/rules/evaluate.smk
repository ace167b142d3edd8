MODEL_FILES = {
    "weights": f"{RESULTS}/model/model.hdf5",
    "options": f"{RESULTS}/model/options.json",
    "vocab": f"{RESULTS}/model/vocab.txt",
    "checkpoint": f"{RESULTS}/model/checkpoint",
}


rule evaluate_perplexity:
    input:
        **MODEL_FILES,
        tokens=token_shards(),
    output:
        f"{RESULTS}/eval/perplexity.json",
    log:
        f"{RESULTS}/logs/evaluate/perplexity.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/perplexity.tsv"
    conda:
        "../../envs/train.yaml"
    params:
        heldout=config["train"]["heldout_sentences"],
    script:
        "../../scripts/evaluate_perplexity.py"


# NorLM's evaluation of NorELMo: a classifier over frozen ELMo features, trained with evaluate.seeds seeds.
rule evaluate_pos:
    input:
        **MODEL_FILES,
        train=lambda wc: local_copy(config["evaluate"]["pos_train"]),
        test=lambda wc: local_copy(config["evaluate"]["pos_test"]),
    output:
        f"{RESULTS}/eval/pos.json",
    log:
        f"{RESULTS}/logs/evaluate/pos.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/pos.tsv"
    conda:
        "../../envs/train.yaml"
    params:
        # A lemmatized model reads lemmas, so the task gives it the treebank's lemmas.
        lemmas=config["udpipe"]["lemmatize"],
        seeds=config["evaluate"]["seeds"],
    script:
        "../../scripts/evaluate_pos.py"


rule evaluate_sentiment:
    input:
        **MODEL_FILES,
        train=lambda wc: local_copy(config["evaluate"]["sentiment_train"]),
        dev=lambda wc: local_copy(config["evaluate"]["sentiment_dev"]),
        test=lambda wc: local_copy(config["evaluate"]["sentiment_test"]),
        # A lemmatized model reads lemmas: the sentences are lemmatized by the run's own UDPipe model.
        udpipe=lambda wc: [udpipe_model()] if config["udpipe"]["lemmatize"] else [],
    output:
        f"{RESULTS}/eval/sentiment.json",
    log:
        f"{RESULTS}/logs/evaluate/sentiment.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/sentiment.tsv"
    conda:
        "../../envs/train.yaml"
    params:
        methods=config["evaluate"]["sentiment_methods"],
        seeds=config["evaluate"]["seeds"],
    script:
        "../../scripts/evaluate_sentiment.py"


# NorLM's fine-grained task: Barnes et al.'s sentiment graph parser on frozen ELMo features, Sentiment Graph F1.
rule evaluate_fine:
    input:
        **MODEL_FILES,
        train=lambda wc: local_copy(config["evaluate"]["fine_train"]),
        dev=lambda wc: local_copy(config["evaluate"]["fine_dev"]),
        test=lambda wc: local_copy(config["evaluate"]["fine_test"]),
        # A lemmatized model reads lemmas: the sentences are lemmatized by the run's own UDPipe model.
        udpipe=lambda wc: [udpipe_model()] if config["udpipe"]["lemmatize"] else [],
    output:
        result=f"{RESULTS}/eval/fine.json",
        predictions=f"{RESULTS}/eval/fine-test-predictions.json",
    log:
        f"{RESULTS}/logs/evaluate/fine.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/fine.tsv"
    conda:
        "../../envs/train.yaml"
    # One process per seed trained at once (evaluate.fine_workers, at most --cores).
    threads: config["evaluate"]["fine_workers"]
    params:
        epochs=config["evaluate"]["fine_epochs"],
        seeds=config["evaluate"]["seeds"],
    script:
        "../../scripts/evaluate_fine.py"
