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


rule pos_probe:
    input:
        **MODEL_FILES,
        train=lambda wc: local_copy(config["evaluate"]["pos_train"]),
        test=lambda wc: local_copy(config["evaluate"]["pos_test"]),
    output:
        f"{RESULTS}/eval/pos-probe.json",
    log:
        f"{RESULTS}/logs/evaluate/pos-probe.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/pos-probe.tsv"
    conda:
        "../../envs/train.yaml"
    params:
        # A lemmatized model reads lemmas, so the probe gives it the treebank's lemmas.
        lemmas=config["udpipe"]["lemmatize"],
    script:
        "../../scripts/pos_probe.py"
