from dmp.cli import main

main()
