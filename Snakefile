from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/extract.smk"
include: "workflow/rules/udpipe.smk"
include: "workflow/rules/tokenize.smk"
include: "workflow/rules/vocab.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/export.smk"


rule all:
    default_target: True
    input:
        f"{RESULTS}/model/model.hdf5",
        f"{RESULTS}/model/options.json",
        f"{RESULTS}/model/vocab.txt",
        f"{RESULTS}/model.zip",
        f"{RESULTS}/vocab/rank-frequency.png",
        f"{RESULTS}/train/loss.png",
